/**
 * keysmith/mcp: API keys for MCP servers. Verify a bearer token for the SDK's `requireBearerAuth`
 * (`mcpTokenVerifier`), guard an `McpServer` so every request re-checks the key and its tool limits
 * (`guardMcpServer`), or serve a whole guarded endpoint (`mcpEndpoint`).
 */
export { mcpTokenVerifier, type McpTokenVerifierOptions } from './verifier.js';
export { mcpAuth, type McpAuthOptions } from './express.js';
export { verifyMcpRequest, type VerifyMcpRequestOptions, type McpRequestAuth } from './web.js';
export { guardMcpServer, toolNotFound, type GuardMcpServerOptions, type McpGuard } from './guard.js';
export { mcpServerFactory, createGuardedServerFactory, type GuardedServerFactoryOptions } from './factory.js';
export { guardStdioServer, verifyKeyFromEnv, type GuardStdioServerOptions, type KeyFromEnvOptions, type KeyFromEnv } from './stdio.js';
export { mcpKeyEvents, type McpKeyEvents } from './events.js';
export { mayUseTool, type ToolFacts, type ToolResources, type ToolRules } from './policy.js';
export { keysmithAuth, type KeysmithAuthExtra, type AuthInfoOptions } from './auth-info.js';
export type { KeyVerifier } from './authenticate.js';
export { mcpEndpoint } from './endpoint.js';
export type { McpEndpoint, McpEndpointOptions, EndpointKeyring } from './endpoint-options.js';
