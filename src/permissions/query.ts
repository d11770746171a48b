import { KeysmithError } from '../errors/errors.js';
import { can, type PermissionSubject } from './permissions.js';
import { isValidScope } from './scopes.js';

/** A parsed permission query such as `evidence:read AND (controls:read OR controls:write)`. */
export type PermissionQuery =
  | { type: 'scope'; scope: string }
  | { type: 'not'; operand: PermissionQuery }
  | { type: 'and' | 'or'; operands: PermissionQuery[] };

const TOKEN_RE = /\s*(\(|\)|[^\s()]+)/y;
const MAX_QUERY_LENGTH = 1024;
const MAX_DEPTH = 32;

function invalid(query: string, message: string): KeysmithError {
  return new KeysmithError('INVALID_QUERY', `Invalid permission query ${JSON.stringify(query.slice(0, 80))}: ${message}`);
}

function tokenize(query: string): string[] {
  const tokens: string[] = [];
  TOKEN_RE.lastIndex = 0;
  while (TOKEN_RE.lastIndex < query.length) {
    const match = TOKEN_RE.exec(query);
    if (!match) break;
    tokens.push(match[1]!);
  }
  return tokens;
}

/**
 * Parses and validates a query once, up front. Operators are `AND`, `OR`, `NOT` (any case) and
 * parentheses; `AND` binds tighter than `OR`. Throws `INVALID_QUERY` with the reason.
 */
export function parseQuery(query: string): PermissionQuery {
  if (typeof query !== 'string' || query.trim() === '') throw invalid(String(query), 'it is empty');
  if (query.length > MAX_QUERY_LENGTH) throw invalid(query, `it is longer than ${MAX_QUERY_LENGTH} characters`);
  const tokens = tokenize(query);
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (t: string | undefined, op: string) => t !== undefined && t.toUpperCase() === op;

  const parseOr = (depth: number): PermissionQuery => {
    const operands = [parseAnd(depth)];
    while (isOp(peek(), 'OR')) {
      pos++;
      operands.push(parseAnd(depth));
    }
    return operands.length === 1 ? operands[0]! : { type: 'or', operands };
  };
  const parseAnd = (depth: number): PermissionQuery => {
    const operands = [parseUnary(depth)];
    while (isOp(peek(), 'AND')) {
      pos++;
      operands.push(parseUnary(depth));
    }
    return operands.length === 1 ? operands[0]! : { type: 'and', operands };
  };
  const parseUnary = (depth: number): PermissionQuery => {
    if (depth > MAX_DEPTH) throw invalid(query, `it nests deeper than ${MAX_DEPTH}`);
    const token = peek();
    if (token === undefined) throw invalid(query, 'it ends where a scope was expected');
    if (isOp(token, 'NOT')) {
      pos++;
      return { type: 'not', operand: parseUnary(depth + 1) };
    }
    if (token === '(') {
      pos++;
      const inner = parseOr(depth + 1);
      if (peek() !== ')') throw invalid(query, 'a "(" is never closed');
      pos++;
      return inner;
    }
    if (token === ')' || isOp(token, 'AND') || isOp(token, 'OR')) throw invalid(query, `unexpected "${token}"`);
    if (!isValidScope(token)) throw invalid(query, `"${token.slice(0, 40)}" is not a valid scope`);
    pos++;
    return { type: 'scope', scope: token };
  };

  const ast = parseOr(0);
  if (pos < tokens.length) throw invalid(query, `unexpected "${tokens[pos]}"`);
  return ast;
}

export function evaluateQuery(subject: PermissionSubject, query: PermissionQuery): boolean {
  switch (query.type) {
    case 'scope':
      return can(subject, query.scope);
    case 'not':
      return !evaluateQuery(subject, query.operand);
    case 'and':
      return query.operands.every((q) => evaluateQuery(subject, q));
    case 'or':
      return query.operands.some((q) => evaluateQuery(subject, q));
  }
}

/** The concrete scopes a query mentions, for an RFC 6750 `scope="…"` hint. */
export function scopesOf(query: PermissionQuery): string[] {
  if (query.type === 'scope') return [query.scope];
  if (query.type === 'not') return scopesOf(query.operand);
  return query.operands.flatMap(scopesOf);
}
