import { CONSOLE_CSS, CONSOLE_JS } from '../../console/generated/assets.js';
import { KeysmithError } from '../../errors/errors.js';
import { policyOf, type Keyring } from '../../keyring.js';
import { isWithin, reachOf } from '../../permissions/escalation.js';
import { errorAnswer, jsonAnswer, type HttpAnswer } from '../answer.js';
import type { HeaderReader } from '../credentials.js';
import type { ResolvedActor } from './actor.js';
import { AdminErrorCode } from './errors.js';

/** The header `createAdminClient` users and the console send on every mutating call when `csrfHeader` is on. */
const DEFAULT_CSRF_HEADER = 'x-keysmith-client';

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
/** Header names a browser page may never set, or that cross-site requests send anyway: useless as a CSRF proof. */
const UNFIT = new Set(['cookie', 'content-type', 'accept', 'accept-language', 'content-language', 'origin', 'referer', 'host', 'range']);

/**
 * The CSRF header of a mount, checked once: `true` names the default, a string its own header,
 * `false` turns it off; left out, it follows `console`.
 * @throws KeysmithError CONFIG
 */
export function csrfHeaderOf(options: { csrfHeader?: string | boolean; console?: boolean }): string | null {
  const given = options.csrfHeader ?? options.console === true;
  if (given === false) return null;
  if (given === true) return DEFAULT_CSRF_HEADER;
  if (typeof given !== 'string' || !HEADER_NAME.test(given) || UNFIT.has(given.toLowerCase()) || given.toLowerCase().startsWith('sec-'))
    throw new KeysmithError('CONFIG', 'csrfHeader must be true, false, or a custom header name such as "X-Keysmith-Client"');
  return given.toLowerCase();
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a mutating request without the CSRF header (403 `CSRF_HEADER_REQUIRED`). A cross-site
 * page cannot send a custom header without a CORS preflight that the admin API never grants, so a
 * cookie session alone can no longer be ridden by a forged form or `fetch`.
 */
export function csrfRefusal(method: string, header: HeaderReader, name: string | null): HttpAnswer | null {
  if (name === null || SAFE_METHODS.has(method.toUpperCase())) return null;
  const value = header(name);
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text === 'string' && text.trim() !== '') return null;
  return errorAnswer(403, AdminErrorCode.CSRF_HEADER_REQUIRED, `Send the ${name} header with every change (any value, e.g. "1")`);
}

/** Paths below the mount that the console owns. */
export type ConsolePath = 'page' | 'script' | 'style' | 'session' | 'manageable';

const CONSOLE_PATHS: Record<string, ConsolePath> = {
  console: 'page',
  'console/console.js': 'script',
  'console/console.css': 'style',
  'console/session': 'session',
  'console/manageable': 'manageable',
};

/** The console path a request addresses, or null (then it is an admin API route). */
export function consolePathOf(path: string): ConsolePath | null {
  const tail = path.replace(/^\/+/, '').replace(/\/+$/, '');
  return Object.hasOwn(CONSOLE_PATHS, tail) ? CONSOLE_PATHS[tail]! : null;
}

/**
 * The page's own rules: its script and style from this origin only (no inline code, no eval), calls
 * to this origin only, never framed, no form posts anywhere, no `<base>` rewriting.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; font-src 'none'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

const PAGE_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  'content-security-policy': CONSOLE_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** The HTML page: one stylesheet, one script, the element. `base` is the mount as the browser reached it. */
function pageHtml(base: string): string {
  const at = escapeHtml(base);
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<meta name="color-scheme" content="light dark">\n<meta name="referrer" content="no-referrer">\n<title>API keys</title>\n<link rel="icon" href="data:,">\n' +
    `<link rel="stylesheet" href="${at}/console/console.css">\n<script type="module" src="${at}/console/console.js"></script>\n</head>\n` +
    `<body>\n<main>\n<keysmith-console base-url="${at}"></keysmith-console>\n</main>\n</body>\n</html>\n`
  );
}

const asset = (type: string, body: string): HttpAnswer => ({ status: 200, headers: { 'content-type': type, ...PAGE_HEADERS }, body });

/**
 * The page and its two assets. They hold no data (every key comes from the authorized API), so
 * they are served before `authorize`: a signed-out visitor sees the page say so.
 */
export function consoleAsset(kind: 'page' | 'script' | 'style', method: string, basePath: string | undefined): HttpAnswer {
  const verb = method.toUpperCase();
  if (verb !== 'GET' && verb !== 'HEAD') return errorAnswer(405, AdminErrorCode.METHOD_NOT_ALLOWED, 'Method not allowed', { headers: { allow: 'GET, HEAD' } });
  const base = (basePath ?? '').replace(/\/+$/, '');
  if (kind === 'script') return asset('text/javascript; charset=utf-8', CONSOLE_JS);
  if (kind === 'style') return asset('text/css; charset=utf-8', CONSOLE_CSS);
  return asset('text/html; charset=utf-8', pageHtml(base));
}

/** What the console needs to know about its caller and the keyring (`GET <mount>/console/session`). */
interface ConsoleSession {
  actorId: string;
  tenantId: string;
  superAdmin: boolean;
  /** The actor has its own permissions: some keys may be beyond its reach (ask `/console/manageable`). */
  limited: boolean;
  /** The keyring's scope vocabulary, or null when any valid scope is accepted. */
  scopes: string[] | null;
  /** The keyring's role names. */
  roles: string[];
  /** The keyring's preset names (built-in ones included). */
  presets: string[];
  /** The header mutating calls must carry, or null. */
  csrfHeader: string | null;
}

const MAX_IDS = 100;

/** `GET <mount>/console/session` and `GET <mount>/console/manageable?ids=a,b&tenant=t`, both behind `authorize`. */
export async function consoleData(
  keyring: Keyring,
  kind: 'session' | 'manageable',
  request: { method: string; query: string | URLSearchParams; actor: ResolvedActor; csrfHeader: string | null },
): Promise<HttpAnswer> {
  if (request.method.toUpperCase() !== 'GET') return errorAnswer(405, AdminErrorCode.METHOD_NOT_ALLOWED, 'Method not allowed', { headers: { allow: 'GET' } });
  const { actor } = request;
  const policy = policyOf(keyring);
  if (kind === 'session') {
    const session: ConsoleSession = {
      actorId: actor.actorId,
      tenantId: actor.tenantId,
      superAdmin: actor.superAdmin,
      limited: actor.permissions !== undefined,
      scopes: policy.vocabulary ? [...policy.vocabulary] : null,
      roles: policy.roleNames,
      presets: Object.keys(policy.presets),
      csrfHeader: request.csrfHeader,
    };
    return jsonAnswer(200, session);
  }
  const params = typeof request.query === 'string' ? new URLSearchParams(request.query.replace(/^\?/, '')) : request.query;
  const ids = (params.get('ids') ?? '').split(',').filter((id) => id !== '');
  if (ids.length > MAX_IDS)
    return errorAnswer(400, AdminErrorCode.VALIDATION, `At most ${MAX_IDS} ids`, { issues: [{ path: ['ids'], message: 'Too many ids' }] });
  const asked = params.get('tenant');
  // Another tenant only for a super-admin; anyone else asking for one simply gets nothing.
  if (asked !== null && asked !== actor.tenantId && !actor.superAdmin) return jsonAnswer(200, { ids: [] });
  const tenantId = asked ?? actor.tenantId;
  const permissions = actor.permissions;
  const manageable: string[] = [];
  for (const id of new Set(ids)) {
    const key = await keyring.get(tenantId, id);
    if (!key || key.revokedAt) continue;
    if (actor.resource && !key.resources[actor.resource.kind]?.includes(actor.resource.id)) continue;
    // The same rule the keyring applies to update, pause, rotate and revoke: the key may reach nothing the actor cannot.
    if (permissions && !isWithin(permissions, reachOf(policy.permissionsOf(key), key))) continue;
    manageable.push(id);
  }
  return jsonAnswer(200, { ids: manageable });
}
