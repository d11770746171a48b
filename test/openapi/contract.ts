import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from 'keysmith/http';

/**
 * Checks HTTP exchanges against an OpenAPI 3.1 document with ajv: is the request one the document
 * allows, and is the answer one it describes (status, required headers, body)?
 */

type Json = Record<string, unknown>;

export interface Exchange {
  method: string;
  /** Relative to the mount, without the query. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The raw body text, or undefined when none was sent. */
  body: string | undefined;
  status: number;
  responseHeaders: Headers;
  responseText: string;
}

export interface Verdict {
  operationId: string | null;
  /** Why the document does not allow this request (empty: it does). */
  requestIssues: string[];
  /** How the answer departs from the document (must stay empty). */
  responseIssues: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const pointerEscape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const isJsonType = (t: string | null | undefined) => {
  const type = (t ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
};

export function createContract(doc: OpenApiDocument) {
  // OpenAPI keywords next to the schemas are not JSON Schema: strict mode off, formats on.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(doc as unknown as Json, 'doc');
  const cache = new Map<string, ValidateFunction>();
  const validatorAt = (pointer: string): ValidateFunction => {
    let v = cache.get(pointer);
    if (!v) {
      v = ajv.compile({ $ref: `doc#${pointer}` });
      cache.set(pointer, v);
    }
    return v;
  };
  const problems = (v: ValidateFunction, where: string) => (v.errors ?? []).map((e) => `${where}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  /** Follows a `$ref` to `#/components/...`, returning the target and its pointer. */
  const deref = (value: Json, pointer: string): [Json, string] => {
    const target = value.$ref;
    if (typeof target !== 'string') return [value, pointer];
    const path = target.slice(2).split('/');
    let node: unknown = doc;
    for (const p of path) node = (node as Json)[p.replace(/~1/g, '/').replace(/~0/g, '~')];
    return [node as Json, target.slice(1)];
  };

  const templates = Object.keys(doc.paths).map((template) => ({ template, segments: template.split('/').slice(1) }));
  /** The path template a concrete path matches: literal segments win over parameters. */
  const matchPath = (path: string): { template: string; params: Record<string, string> } | null => {
    const segments = path.replace(/\/+$/, '').split('/').slice(1).map(decodeURIComponent);
    let best: { template: string; params: Record<string, string>; literals: number } | null = null;
    for (const { template, segments: t } of templates) {
      if (t.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let literals = 0;
      const ok = t.every((s, i) => {
        if (s.startsWith('{')) {
          params[s.slice(1, -1)] = segments[i]!;
          return segments[i] !== '';
        }
        literals++;
        return s === segments[i];
      });
      if (ok && (!best || literals > best.literals)) best = { template, params, literals };
    }
    return best;
  };

  /** A query value as the parameter's schema reads it (OpenAPI's `form` style). */
  const deserialize = (schema: Json, raw: string): unknown => {
    if (schema.type === 'array') return raw.split(',');
    if ((schema.type === 'integer' || schema.type === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
    return raw;
  };

  function checkRequest(op: Json, opPointer: string, ex: Exchange, params: Record<string, string>): string[] {
    const issues: string[] = [];
    const declared = ((op.parameters ?? []) as Json[]).map((p, i) => deref(p, `${opPointer}/parameters/${i}`));
    for (const [param, pointer] of declared) {
      const name = param.name as string;
      if (param.in === 'path') {
        const v = validatorAt(`${pointer}/schema`);
        if (!v(params[name])) issues.push(...problems(v, `path ${name}`));
      }
    }
    const queryParams = new Map(declared.filter(([p]) => p.in === 'query').map(([p, pointer]) => [p.name as string, { p, pointer }]));
    const seen = new Set<string>();
    for (const [name, raw] of ex.query) {
      const known = queryParams.get(name);
      if (!known) issues.push(`query ${name}: not a parameter of this operation`);
      else if (seen.has(name)) issues.push(`query ${name}: given more than once`);
      else {
        const v = validatorAt(`${known.pointer}/schema`);
        if (!v(deserialize(known.p.schema as Json, raw))) issues.push(...problems(v, `query ${name}`));
      }
      seen.add(name);
    }
    const body = op.requestBody as Json | undefined;
    if (body) {
      if (ex.body === undefined || ex.body === '') {
        if (body.required) issues.push('body: required');
      } else if (!isJsonType(ex.headers['content-type'])) {
        issues.push(`body: content type ${ex.headers['content-type']} is not application/json`);
      } else {
        let value: unknown;
        try {
          value = JSON.parse(ex.body);
        } catch {
          issues.push('body: not JSON');
          return issues;
        }
        const v = validatorAt(`${opPointer}/requestBody/content/application~1json/schema`);
        if (!v(value)) issues.push(...problems(v, 'body'));
      }
    }
    return issues;
  }

  function checkResponse(response: Json, pointer: string, ex: Exchange): string[] {
    const issues: string[] = [];
    for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
      const value = ex.responseHeaders.get(name);
      if (value === null) {
        if (header.required) issues.push(`header ${name}: missing`);
        continue;
      }
      const v = validatorAt(`${pointer}/headers/${pointerEscape(name)}/schema`);
      if (!v(value)) issues.push(...problems(v, `header ${name}`));
    }
    const content = response.content as Json | undefined;
    if (!content) {
      if (ex.responseText !== '') issues.push('body: none documented, but one was sent');
      return issues;
    }
    if (!isJsonType(ex.responseHeaders.get('content-type'))) return [...issues, `content-type ${ex.responseHeaders.get('content-type')} is not documented`];
    let value: unknown;
    try {
      value = JSON.parse(ex.responseText);
    } catch {
      return [...issues, 'body: not JSON'];
    }
    const v = validatorAt(`${pointer}/content/application~1json/schema`);
    if (!v(value)) issues.push(...problems(v, 'body'));
    return issues;
  }

  return {
    check(ex: Exchange): Verdict {
      const matched = matchPath(ex.path);
      const method = ex.method.toLowerCase();
      const pathItem = matched ? (doc.paths[matched.template] as Json) : undefined;
      const op = pathItem?.[method] as Json | undefined;
      if (!matched || !op) {
        // Not an operation: the only answers are the documented 401 (before routing), 404 and 405.
        const allowed: Record<number, string> = pathItem ? { 401: 'Unauthorized', 405: 'MethodNotAllowed' } : { 401: 'Unauthorized', 404: 'NotFound' };
        const name = allowed[ex.status];
        const requestIssues = [pathItem ? `method ${ex.method} not documented for ${matched!.template}` : `no path matches ${ex.path}`];
        if (!name) return { operationId: null, requestIssues, responseIssues: [`status ${ex.status} for an undocumented request`] };
        const pointer = `/components/responses/${name}`;
        const issues = checkResponse(deref({ $ref: `#${pointer}` }, '')[0], pointer, ex);
        if (pathItem && ex.status === 405) {
          const allow = (ex.responseHeaders.get('allow') ?? '').split(', ').sort();
          const documented = Object.keys(pathItem)
            .filter((m) => METHODS.includes(m))
            .map((m) => m.toUpperCase())
            .sort();
          if (allow.join() !== documented.join()) issues.push(`Allow ${allow} differs from the documented methods ${documented}`);
        }
        return { operationId: null, requestIssues, responseIssues: issues };
      }
      const opPointer = `/paths/${pointerEscape(matched.template)}/${method}`;
      const requestIssues = checkRequest(op, opPointer, ex, matched.params);
      const responses = op.responses as Record<string, Json>;
      const documented = responses[String(ex.status)];
      if (!documented)
        return { operationId: op.operationId as string, requestIssues, responseIssues: [`status ${ex.status} not documented for ${op.operationId}`] };
      const [response, pointer] = deref(documented, `${opPointer}/responses/${ex.status}`);
      return { operationId: op.operationId as string, requestIssues, responseIssues: checkResponse(response, pointer, ex) };
    },
    /** A request body checked against an operation's schema, without sending it. */
    bodyIssues(template: string, method: string, body: unknown): string[] {
      const v = validatorAt(`/paths/${pointerEscape(template)}/${method}/requestBody/content/application~1json/schema`);
      return v(body) ? [] : problems(v, 'body');
    },
    operations(): string[] {
      return Object.values(doc.paths).flatMap((item) =>
        Object.entries(item as Json)
          .filter(([m]) => METHODS.includes(m))
          .map(([, op]) => (op as Json).operationId as string),
      );
    },
  };
}

export type Contract = ReturnType<typeof createContract>;
