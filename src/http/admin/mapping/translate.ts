import { shown, type FieldIssue } from '../../../errors/errors.js';
import { toFieldIssues } from '../../../management/validation.js';
import type { HttpIssue } from '../../answer.js';
import type { AdminAction } from '../routes.js';
import type { CompiledField, CompiledMapping } from './compile.js';

type Json = Record<string, unknown>;

/** A nested object keysmith only takes whole: a create that sets one of its fields starts from keysmith's default for it. */
const WHOLE_OBJECTS: Record<string, () => Json> = { 'mcp.tools': () => ({ mode: 'all', names: [] }) };

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function getAt(value: unknown, path: readonly string[]): unknown {
  let at = value;
  for (const segment of path) {
    if (!isObject(at) || !Object.hasOwn(at, segment)) return undefined;
    at = at[segment];
  }
  return at;
}

function setAt(target: Json, path: readonly string[], value: unknown): void {
  let at = target;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i]!;
    if (!isObject(at[segment])) at[segment] = WHOLE_OBJECTS[path.slice(0, i + 1).join('.')]?.() ?? {};
    at = at[segment] as Json;
  }
  at[path[path.length - 1]!] = value;
}

/** Whether the key's answers have anything at this path (`expiresIn` is only ever written). */
const readable = (field: CompiledField) => field.path === null || field.path[0] !== 'expiresIn';

/** A key (the admin API's JSON) as the mapped API shows it in the answer of `action`. */
export function keyToWire(mapping: CompiledMapping, key: Json, action: AdminAction): Json {
  const out: Json = {};
  for (const field of mapping.fields) {
    if ((field.in && !field.in.has(action)) || !readable(field)) continue;
    if (field.path === null) {
      out[field.wire] = field.constant;
      continue;
    }
    const raw = getAt(key, field.path);
    let value = field.codec ? field.codec.read(raw) : raw === undefined ? (field.default ?? null) : raw;
    if (value === null && field.empty !== undefined) value = field.empty;
    out[field.wire] = value;
  }
  return out;
}

/** A translated body, or the issues that refuse it (named by wire field). */
export type BodyTranslation = { ok: true; input: Json; given: Set<string> } | { ok: false; issues: HttpIssue[] };

/**
 * A create or update body in keysmith's names. On update, each keysmith field the body touches
 * starts from `current` (the key as it is), so a nested or partial field (`mcpReadOnly`,
 * `mcpProjectIds`, one half of the scopes) changes only its part.
 */
export function bodyToInput(mapping: CompiledMapping, body: unknown, action: 'create' | 'update', current?: Json): BodyTranslation {
  if (!isObject(body)) return { ok: false, issues: [{ path: [], message: 'Expected a JSON object' }] };
  const byWire = new Map(mapping.fields.map((f) => [f.wire, f]));
  const issues: HttpIssue[] = [];
  const given = new Set<string>();
  for (const name of Object.keys(body)) {
    const field = byWire.get(name);
    if (field?.writes.has(action)) given.add(name);
    else if (mapping.unknownFields === 'reject')
      issues.push({ path: [name], message: field ? `Read-only field: ${shown(name)}` : `Unknown field: ${shown(name)}` });
  }
  const input: Json = {};
  for (const field of mapping.fields) {
    if (!given.has(field.wire) || field.path === null) continue;
    let value = body[field.wire];
    if (field.empty !== undefined && value === field.empty) {
      if (action === 'create') continue;
      value = null;
    }
    const top = field.path[0]!;
    if (current && !Object.hasOwn(input, top) && (field.path.length > 1 || field.codec)) input[top] = structuredClone(current[top]);
    if (field.codec && value !== null) {
      const parsed = field.codec.schema.safeParse(value);
      if (!parsed.success) {
        for (const issue of toFieldIssues(parsed.error)) issues.push({ path: [field.wire, ...issue.path], message: issue.message });
        continue;
      }
      value = field.codec.write(parsed.data, getAt(input, field.path));
    }
    setAt(input, field.path, value);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, input, given };
}

/**
 * A keysmith issue path in wire names: the field whose path is the longest prefix of it (one the
 * body gave, when several share it), then the rest of the path, unless a codec stands between.
 */
export function issuePathToWire(mapping: CompiledMapping, path: readonly (string | number)[], given: ReadonlySet<string>): (string | number)[] {
  let best: CompiledField | undefined;
  for (const field of mapping.fields) {
    const p = field.path;
    if (p === null || p.length > path.length || !p.every((s, i) => s === path[i])) continue;
    if (!best || p.length > best.path!.length || (p.length === best.path!.length && given.has(field.wire) && !given.has(best.wire))) best = field;
  }
  if (best) return best.codec ? [best.wire] : [best.wire, ...path.slice(best.path!.length)];
  // An issue about a whole object some fields live in (`mcp.tools` when only its mode was sent).
  const inside = mapping.fields.filter((f) => f.path !== null && path.every((s, i) => f.path![i] === s));
  const named = inside.find((f) => given.has(f.wire)) ?? inside[0];
  return named ? [named.wire] : [];
}

/** A list query in keysmith's names, or the issues that refuse it (named by wire parameter). */
export function queryToList(mapping: CompiledMapping, params: URLSearchParams): { ok: true; query: URLSearchParams } | { ok: false; issues: HttpIssue[] } {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  for (const name of params.keys()) {
    if (seen.has(name)) issues.push({ path: [name], message: 'Given more than once' });
    seen.add(name);
  }
  if (mapping.query === null) return issues.length > 0 ? { ok: false, issues } : { ok: true, query: params };
  const known = new Map(mapping.query);
  for (const name of seen) if (!known.has(name)) issues.push({ path: [name], message: `Unknown query parameter: ${shown(name)}` });
  const query = new URLSearchParams();
  for (const [wire, spec] of mapping.query) {
    const sent = params.get(wire);
    let value = sent === null || spec.ignore?.includes(sent) ? spec.default : sent;
    if (value === undefined) continue;
    if (spec.values) {
      if (!Object.hasOwn(spec.values, value)) {
        issues.push({ path: [wire], message: `One of: ${Object.keys(spec.values).join(', ')}` });
        continue;
      }
      value = spec.values[value]!;
    }
    query.set(spec.to, value);
  }
  return issues.length > 0 ? { ok: false, issues: issues.map(({ path, message }) => ({ path, message })) } : { ok: true, query };
}

/** A keysmith list parameter's issue path in wire names. */
export function queryPathToWire(mapping: CompiledMapping, path: readonly (string | number)[]): (string | number)[] {
  if (mapping.query === null) return [...path];
  const wire = mapping.query.find(([, spec]) => spec.to === path[0]);
  return wire ? [wire[0]] : [];
}
