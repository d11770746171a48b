import type { ApiKeyJson } from '../client/index.js';
import { h } from './dom.js';

const DAY_MS = 86_400_000;

/** A date as a short, readable local date in a `<time>`; "never" (or the given word) when there is none. */
export function dateCell(iso: string | null, none = 'never'): HTMLElement | string {
  if (!iso) return none;
  const date = new Date(iso);
  return h('time', { datetime: iso, title: date.toLocaleString() }, date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }));
}

/** The key's status as a badge (text, so colour is never the only signal). */
export const statusBadge = (status: ApiKeyJson['status']): HTMLElement => h('span', { class: `badge badge-${status}` }, status);

/** Scopes and roles as chips; `*` reads "Full access". */
export function accessCell(key: Pick<ApiKeyJson, 'scopes' | 'roles' | 'preset' | 'mcp'>): HTMLElement {
  const chips: HTMLElement[] = [];
  if (key.scopes.includes('*')) chips.push(h('span', { class: 'chip chip-strong' }, 'Full access'));
  for (const scope of key.scopes) if (scope !== '*') chips.push(h('span', { class: 'chip' }, scope));
  for (const role of key.roles) chips.push(h('span', { class: 'chip chip-role' }, `role: ${role}`));
  if (key.preset) chips.push(h('span', { class: 'chip chip-role' }, `preset: ${key.preset}`));
  if (!key.mcp.enabled) chips.push(h('span', { class: 'chip chip-role' }, 'MCP off'));
  else if (key.mcp.readOnly) chips.push(h('span', { class: 'chip chip-role' }, 'MCP read-only'));
  if (chips.length === 0) chips.push(h('span', { class: 'muted' }, 'no scopes'));
  return h('div', { class: 'chips' }, ...chips);
}

/** `expiresIn` for a number of days, as the admin API reads it. */
export const days = (n: number): string => `${n}d`;

/** A `YYYY-MM-DD` from a date input as the end of that local day, ISO; null when empty or not in the future. */
export function endOfDay(value: string, now = Date.now()): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const date = new Date(`${value}T23:59:59`);
  return Number.isNaN(date.getTime()) || date.getTime() <= now ? null : date.toISOString();
}

/** Tomorrow as `YYYY-MM-DD`, the earliest custom expiry. */
export function tomorrow(now = Date.now()): string {
  const d = new Date(now + DAY_MS);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Words split on commas, spaces or new lines. */
export const words = (text: string): string[] => text.split(/[\s,]+/).filter((w) => w !== '');

/** `kind: id, id` per line into `resources`; throws a readable message for a line it cannot read. */
export function parseResources(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '') continue;
    const at = line.indexOf(':');
    const kind = at === -1 ? '' : line.slice(0, at).trim();
    const ids =
      at === -1
        ? []
        : line
            .slice(at + 1)
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(kind)) throw new Error(`Resource limits: write each line as "kind: id, id" (not "${line.slice(0, 40)}")`);
    out[kind] = [...(out[kind] ?? []), ...ids];
  }
  return out;
}
