import { KeysmithError } from '../errors/errors.js';

/**
 * Finding the API key in a request: `Authorization: Bearer <key>` (RFC 6750 §2.1) and, when
 * configured, one named header such as `x-api-key` whose whole value is the key.
 */

/** RFC 6750 b64token: what a bearer credential may contain. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** An auth-scheme (an RFC 7230 token), optionally followed by credentials. */
const OTHER_SCHEME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?: .*)?$/;
/** Longer values are never keys; refuse them before any work. */
const MAX_CREDENTIAL_LENGTH = 1024;

export type Credentials =
  /** No bearer credentials at all (or another scheme such as Basic): 401 without an error code. */
  | { kind: 'missing' }
  /** A header that is present but unusable: 400 invalid_request. */
  | { kind: 'invalid_request'; message: string }
  | { kind: 'token'; token: string };

/**
 * Reads a request's header by lower-case name. Give every value of a repeated header (an array,
 * as Node's `headersDistinct` does — see `nodeHeaderReader`) or the values joined with ", " (as
 * the Fetch API's `Headers` does); either way a repeated credential header is refused.
 */
export type HeaderReader = (name: string) => string | string[] | null | undefined;

/** The part of Node's `IncomingMessage` that `nodeHeaderReader` reads. */
export interface NodeHeaderSource {
  headers: Record<string, string | string[] | undefined>;
  /** Every value of every header, one per line received (Node ≥ 18.3). */
  headersDistinct?: Record<string, string[] | undefined>;
  /** Header names and values as received, alternating. */
  rawHeaders?: readonly string[];
}

/**
 * A `HeaderReader` over a Node request (Express's `req`, Fastify's `request.raw`). Node's
 * `headers` keeps only the first of repeated `Authorization` lines, so a second one would pass
 * unseen; every line is read (see `nodeHeader`).
 */
export function nodeHeaderReader(message: NodeHeaderSource): HeaderReader {
  return (name) => nodeHeader(message, name);
}

/**
 * One header of a Node request by lower-case name: its value, every value when the line was sent
 * more than once, or undefined. Scans `rawHeaders` (as received) rather than reading
 * `headersDistinct`, which Node builds for every header of the request on first use (~15× the
 * cost, on every guarded request).
 */
export function nodeHeader(message: NodeHeaderSource, name: string): string | string[] | undefined {
  const raw = message.rawHeaders;
  if (!Array.isArray(raw)) return message.headersDistinct?.[name] ?? message.headers[name];
  let found: string | string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const field: string = raw[i];
    if (field.length !== name.length || field.toLowerCase() !== name) continue;
    const value: string = raw[i + 1];
    if (found === undefined) found = value;
    else if (Array.isArray(found)) found.push(value);
    else found = [found, value];
  }
  return found;
}

const REPEATED: Credentials = { kind: 'invalid_request', message: 'The API key header was sent more than once' };
/** A second bearer credential in a comma-joined value (`Headers` joins repeated lines with ", "). */
const LATER_BEARER = /,\s*bearer(?:\s|$)/i;

function fromAuthorization(value: string): Credentials {
  // The form nearly every client sends, exactly "Bearer <b64token>": the general path below would
  // trim, fold the scheme's case and strip spaces only to find nothing to change.
  if (value.charCodeAt(6) === 0x20 && value.startsWith('Bearer')) {
    const token = value.slice(7);
    if (token.length <= MAX_CREDENTIAL_LENGTH && B64TOKEN.test(token)) return { kind: 'token', token };
  }
  const trimmed = value.trim();
  if (trimmed === '') return { kind: 'missing' };
  const space = trimmed.indexOf(' ');
  const scheme = space === -1 ? trimmed : trimmed.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') {
    if (LATER_BEARER.test(trimmed)) return REPEATED;
    return OTHER_SCHEME.test(trimmed) ? { kind: 'missing' } : { kind: 'invalid_request', message: 'The Authorization header is malformed' };
  }
  const token = space === -1 ? '' : trimmed.slice(space + 1).replace(/^ +/, '');
  // A bearer credential never holds a comma: one here means several values joined into one.
  if (token.includes(',')) return REPEATED;
  if (token === '' || token.length > MAX_CREDENTIAL_LENGTH || !B64TOKEN.test(token)) {
    return { kind: 'invalid_request', message: 'The Authorization header must be: Bearer <key>' };
  }
  return { kind: 'token', token };
}

function fromNamedHeader(name: string, value: string): Credentials {
  const token = value.trim();
  if (token === '') return { kind: 'missing' };
  if (token.includes(',')) return REPEATED;
  if (token.length > MAX_CREDENTIAL_LENGTH || !B64TOKEN.test(token)) return { kind: 'invalid_request', message: `The ${name} header is malformed` };
  return { kind: 'token', token };
}

function single(value: string | string[] | null | undefined): string | null | false {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.length === 1 ? value[0]! : false;
  return value;
}

/**
 * Extracts the key. Sending it in both places is refused (RFC 6750 §2: one method per request),
 * so a proxy-added header can never silently win over the client's own.
 */
export function extractCredentials(read: HeaderReader, header: string | null): Credentials {
  return credentialsOf(read, callReader, header);
}

const callReader = (read: HeaderReader, name: string) => read(name);

/**
 * `extractCredentials` over any request type, with a reader given once (no closure per request):
 * what the middlewares call on their hot path.
 */
export function credentialsOf<Req>(req: Req, read: (req: Req, name: string) => ReturnType<HeaderReader>, header: string | null): Credentials {
  const authorization = single(read(req, 'authorization'));
  const named = header === null ? null : single(read(req, header));
  if (authorization === false || named === false) return REPEATED;
  const fromAuth = authorization === null ? ({ kind: 'missing' } as const) : fromAuthorization(authorization);
  const fromNamed = named === null || header === null ? ({ kind: 'missing' } as const) : fromNamedHeader(header, named);
  if (fromAuth.kind === 'token' && fromNamed.kind === 'token') {
    return { kind: 'invalid_request', message: 'Send the API key in one header only' };
  }
  if (fromAuth.kind === 'invalid_request') return fromAuth;
  if (fromNamed.kind !== 'missing') return fromNamed;
  return fromAuth;
}

/** A header name as Node and the Fetch API see it; checked once at construction. */
export function normalizeHeaderName(name: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw new KeysmithError('CONFIG', `Invalid header name ${JSON.stringify(name)}`);
  if (name.toLowerCase() === 'authorization') throw new KeysmithError('CONFIG', 'Authorization is always read; name another header (for example "x-api-key")');
  return name.toLowerCase();
}
