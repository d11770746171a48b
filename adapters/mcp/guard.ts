import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type CallToolResult, type ListToolsResult } from '@modelcontextprotocol/sdk/types.js';
import { KeysmithError, type Permissions } from 'keysmith';
import { redactSecrets } from 'keysmith/http';
import { keysmithAuth, type AuthInfoOptions } from './auth-info.js';
import { authenticate, checkAuthenticateOptions, type AuthenticateOptions, type AuthFailure, type KeyVerifier } from './authenticate.js';
import type { McpKeyEvents } from './events.js';
import { deniedArgument, mayUseTool, toolRulesSchema, type ToolFacts, type ToolRules } from './policy.js';
import { handlerHost, installedHandlers, methodOf, UNGUARDED_METHODS, type RawHandler, type RequestExtra } from './sdk-handlers.js';

export interface GuardMcpServerOptions extends ToolRules, Pick<AuthenticateOptions, 'scopes' | 'anyScopes' | 'query' | 'cost'>, AuthInfoOptions {
  /** Key changes from the keyring; a changed key's sessions get `notifications/tools/list_changed`. */
  events?: McpKeyEvents;
  /**
   * The key that opened this server's session (a key id or the `AuthInfo` of the opening request).
   * Requests with any other key are refused, and this key's changes are notified. Leave unset for a
   * server shared by many keys (stateless), which then notifies only keys it has served.
   */
  boundKey?: string | AuthInfo;
  /**
   * Credits each `tools/call` consumes (other requests spend none). 0 by default, since the HTTP
   * layer (`mcpTokenVerifier`, `mcpAuth`, `verifyMcpRequest`) already charged the request; the
   * stdio helper passes 1.
   * @default 0
   */
  cost?: number;
  /**
   * Per-tool cost of a `tools/call`, counted against the key's rate limits and credits (overrides
   * `cost` for the tools it names), e.g. `{ 'generate-report': 10 }`. A call refused as "not found"
   * or for a resource spends nothing.
   */
  toolCosts?: Record<string, number>;
  /** Where the key of a request comes from. @default the token of `extra.authInfo` (and the `ip` keysmith put in it) */
  credentials?: (extra: RequestExtra) => { token: string; ip?: string } | undefined;
}

export interface McpGuard {
  /** The key id this server's session is bound to, if any. */
  readonly boundKeyId: string | null;
  /** Binds an unbound server to a key from now on (a bound one keeps its key: throws CONFIG). */
  bind(keyId: string): void;
  /**
   * Sends `notifications/tools/list_changed` when connected. A bound server verifies its key first:
   * a key that may no longer use the session gets no notification, and its standalone event
   * stream is closed instead.
   */
  notifyToolsChanged(): void;
  /** Stops listening for key changes (also done when the server closes). */
  close(): void;
}

const guarded = new WeakSet<object>();

/** Keys whose latest credentials an unbound (shared) server remembers, to re-check them on a change. */
const REMEMBERED_KEYS = 10_000;

type Credentials = { token: string; ip?: string };

/**
 * The answer to a `tools/call` of a tool the key may not use or the server does not have: the
 * shape McpServer gives for an unknown tool, so a refusal reveals nothing. The name is the
 * client's, so it passes through keysmith's one redaction (`redactSecrets`): a token pasted as a
 * tool name comes back as its preview, never whole.
 */
export function toolNotFound(name: string): CallToolResult {
  const shown = redactSecrets(String(name));
  return { content: [{ type: 'text', text: new McpError(ErrorCode.InvalidParams, `Tool ${shown} not found`).message }], isError: true };
}

function mcpErrorFor(failure: AuthFailure): McpError {
  const data = { reason: failure.code };
  if (failure.class === 'unavailable') return new McpError(ErrorCode.InternalError, failure.message, data);
  return new McpError(ErrorCode.InvalidRequest, `${failure.class === 'unauthenticated' ? 'Unauthorized' : 'Forbidden'}: ${failure.message}`, data);
}

const defaultCredentials = (extra: RequestExtra) => {
  const info = extra.authInfo;
  if (!info || typeof info.token !== 'string') return undefined;
  const ip = keysmithAuth(info)?.ip;
  return ip === undefined ? { token: info.token } : { token: info.token, ip };
};

/**
 * Attaches keysmith's policy to an `McpServer`. Call it BEFORE the first `registerTool`. On every
 * request the key is verified again (revoked, paused, expired or narrowed keys take effect at
 * once; no credits are spent unless `cost` is set); `tools/list` shows only the tools the key may use, and a
 * `tools/call` of any other tool gets McpServer's own "Tool X not found" answer. Other requests
 * (resources, prompts, …) need a usable key with `mcp.enabled`.
 *
 * @example
 * const server = new McpServer({ name: 'demo', version: '1.0.0' });
 * guardMcpServer(server, keyring, { toolScopes: { deploy: ['deploy:write'] }, toolResources: { projectId: 'project' } });
 * server.registerTool('deploy', { … }, handler);
 * @throws KeysmithError `CONFIG` when tools were already registered (or `capabilities.tools` was
 *   passed to the McpServer constructor), or when the server is already guarded.
 */
export function guardMcpServer(server: McpServer, keyring: KeyVerifier, options: GuardMcpServerOptions = {}): McpGuard {
  return installGuard(server, keyring, options, false);
}

/**
 * The same guard for a server whose tools are already registered (what `mcpEndpoint`'s
 * `createServer` returns): the handlers McpServer installed are wrapped where they are.
 * Not exported from `keysmith/mcp`: users call `guardMcpServer` before `registerTool`.
 */
export function guardBuiltServer(server: McpServer, keyring: KeyVerifier, options: GuardMcpServerOptions = {}): McpGuard {
  return installGuard(server, keyring, options, true);
}

function installGuard(server: McpServer, keyring: KeyVerifier, options: GuardMcpServerOptions, adopt: boolean): McpGuard {
  const rules = toolRulesSchema.parse({ toolScopes: options.toolScopes, toolResources: options.toolResources }) as ToolRules;
  options = checkAuthenticateOptions(options);
  const host = handlerHost(server);
  if (guarded.has(server)) throw new KeysmithError('CONFIG', 'This McpServer is already guarded');
  try {
    if (!adopt) {
      host.assertCanSetRequestHandler('tools/list');
      host.assertCanSetRequestHandler('tools/call');
    }
  } catch (cause) {
    throw new KeysmithError(
      'CONFIG',
      'guardMcpServer must run before the first registerTool: its tools handlers are already installed, so they could not be guarded. ' +
        'Call it right after `new McpServer(…)`, and do not pass `capabilities.tools` to the constructor.',
      { cause },
    );
  }
  guarded.add(server);

  let boundKeyId =
    options.boundKey === undefined
      ? null
      : typeof options.boundKey === 'string'
        ? options.boundKey
        : (keysmithAuth(options.boundKey)?.keyId ?? options.boundKey.clientId);
  const credentials = options.credentials ?? defaultCredentials;
  const toolCosts = options.toolCosts ?? {};
  for (const [name, cost] of Object.entries(toolCosts)) {
    if (!Number.isSafeInteger(cost) || cost < 0) throw new KeysmithError('CONFIG', `toolCosts.${name} must be a whole number, 0 or more`);
  }
  /** The latest credentials each key was verified with here (a bound server: its own key only). */
  const credentialsOf = new Map<string, Credentials>();
  const remember = (keyId: string, found: Credentials) => {
    if (credentialsOf.size >= REMEMBERED_KEYS && !credentialsOf.has(keyId)) credentialsOf.clear();
    credentialsOf.set(keyId, found);
  };
  if (boundKeyId !== null && typeof options.boundKey === 'object') {
    const ip = keysmithAuth(options.boundKey)?.ip;
    remember(boundKeyId, ip === undefined ? { token: options.boundKey.token } : { token: options.boundKey.token, ip });
  }

  /**
   * Verifies the request's key afresh; throws an McpError the client sees as a JSON-RPC error.
   * With cost 0 it spends nothing and skips rate limits (the HTTP layer already counted the request).
   */
  const check = async (extra: RequestExtra, cost = 0): Promise<{ authInfo: AuthInfo; permissions: Permissions }> => {
    const found = credentials(extra);
    if (!found) throw new McpError(ErrorCode.InvalidRequest, 'Unauthorized: no API key on this request', { reason: 'MISSING_TOKEN' });
    const outcome = await authenticate(keyring, found.token, {
      ...options,
      ...(cost > 0 ? { cost } : { limits: false }),
      ...(found.ip !== undefined ? { ip: found.ip } : {}),
    });
    if (!outcome.ok) throw mcpErrorFor(outcome.failure);
    const auth = keysmithAuth(outcome.authInfo)!;
    if (boundKeyId !== null && auth.keyId !== boundKeyId) {
      throw new McpError(ErrorCode.InvalidRequest, 'Forbidden: this session was opened by another API key', { reason: 'SESSION_KEY_MISMATCH' });
    }
    remember(auth.keyId, found);
    return { authInfo: outcome.authInfo, permissions: auth.permissions };
  };
  const withAuth = (extra: RequestExtra, authInfo: AuthInfo): RequestExtra => ({ ...extra, authInfo });

  // Tool facts (annotations) from McpServer's own list handler; McpServer calls its
  // sendToolListChanged on every tool change, which is where the cache is dropped.
  let listTools: RawHandler | null = null;
  let facts: Map<string, ToolFacts> | null = null;
  const toolFacts = async (extra: RequestExtra): Promise<Map<string, ToolFacts>> => {
    if (facts) return facts;
    const result = listTools ? ((await listTools({ method: 'tools/list', params: {} }, extra)) as ListToolsResult) : { tools: [] };
    facts = new Map(result.tools.map((t) => [t.name, t]));
    return facts;
  };
  const sendToolListChanged = server.sendToolListChanged.bind(server);
  server.sendToolListChanged = () => {
    facts = null;
    sendToolListChanged();
  };

  const guardList = (original: RawHandler): RawHandler => {
    listTools = original;
    return async (request, extra) => {
      const { authInfo, permissions } = await check(extra);
      const result = (await original(request, withAuth(extra, authInfo))) as ListToolsResult;
      return { ...result, tools: result.tools.filter((tool) => mayUseTool(permissions, tool, rules)) };
    };
  };

  const guardCall =
    (original: RawHandler): RawHandler =>
    async (request, extra) => {
      const { authInfo, permissions } = await check(extra);
      const params = (request as { params: { name: string; arguments?: unknown } }).params;
      const tool = (await toolFacts(extra)).get(params.name);
      // An unknown tool is answered here too, not by McpServer, which would quote the name as sent.
      if (!tool || !mayUseTool(permissions, tool, rules)) return toolNotFound(params.name);
      const denied = deniedArgument(permissions, params.name, params.arguments, rules.toolResources);
      if (denied) {
        return {
          content: [{ type: 'text', text: `The API key may not access this ${denied.kind} (argument "${denied.argument}")` }],
          isError: true,
        } satisfies CallToolResult;
      }
      // Only an allowed call is counted: its cost against the key's rate limits and credits.
      const cost = (Object.hasOwn(toolCosts, params.name) ? toolCosts[params.name] : undefined) ?? options.cost ?? 0;
      if (cost > 0) await check(extra, cost);
      return original(request, withAuth(extra, authInfo));
    };

  const guardOther =
    (original: RawHandler): RawHandler =>
    async (request, extra) => {
      const { authInfo } = await check(extra);
      return original(request, withAuth(extra, authInfo));
    };

  // Every handler installed from now on (McpServer's lazy ones included) goes through the guard.
  const wrapperFor = (method: string | undefined) => (method === 'tools/list' ? guardList : method === 'tools/call' ? guardCall : guardOther);
  const setRequestHandler = host.setRequestHandler.bind(host);
  host.setRequestHandler = (schema, handler) => {
    setRequestHandler(schema, wrapperFor(methodOf(schema))(handler));
  };
  // A built server: McpServer's handlers are already there; wrap each in place (the protocol's own stay).
  if (adopt) {
    const installed = installedHandlers(host);
    for (const [method, handler] of installed) if (!UNGUARDED_METHODS.has(method)) installed.set(method, wrapperFor(method)(handler));
  }

  let wasConnected = false;
  const sendToolsChanged = () => {
    if (!host.transport) return;
    wasConnected = true;
    host.sendToolListChanged().catch(() => {
      // Not connected any more, or no tools yet: nothing to tell.
    });
  };

  /**
   * A key changed: verify it again and tell the session only while the key may still use it. A
   * key that may not (revoked, paused, expired, MCP disabled, store down) gets no notification,
   * and its standalone event stream (Streamable HTTP's GET) is closed; the client may open a new
   * one once the key works again. Its requests are refused by the per-request check meanwhile.
   */
  const keyChanged = async (keyId: string): Promise<void> => {
    const found = credentialsOf.get(keyId);
    const transport = host.transport;
    if (!found || !transport) return;
    const outcome = await authenticate(keyring, found.token, { ...options, limits: false, ...(found.ip !== undefined ? { ip: found.ip } : {}) });
    if (outcome.ok) return sendToolsChanged();
    (transport as { closeStandaloneSSEStream?: () => void }).closeStandaloneSSEStream?.();
  };
  const notifyToolsChanged = () => {
    if (boundKeyId === null) return sendToolsChanged();
    keyChanged(boundKeyId).catch(() => {
      // The session is gone already: nothing to tell.
    });
  };

  let unsubscribe = () => {};
  if (options.events) {
    unsubscribe = options.events.subscribe((keyId) => {
      if (host.transport) wasConnected = true;
      else if (wasConnected) return close();
      if (boundKeyId !== null ? keyId !== boundKeyId : !credentialsOf.has(keyId)) return;
      keyChanged(keyId).catch(() => {});
    });
  }
  const close = () => {
    unsubscribe();
    unsubscribe = () => {};
  };
  const previousOnClose = host.onclose;
  host.onclose = () => {
    close();
    previousOnClose?.();
  };

  return {
    get boundKeyId() {
      return boundKeyId;
    },
    bind(keyId: string) {
      if (boundKeyId !== null && boundKeyId !== keyId) throw new KeysmithError('CONFIG', 'This server is already bound to another key');
      boundKeyId = keyId;
    },
    notifyToolsChanged,
    close,
  };
}
