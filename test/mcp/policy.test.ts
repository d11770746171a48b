import { describe, expect, it } from 'vitest';
import { DEFAULT_MCP, type Permissions } from 'keysmith';
import { mayUseTool } from 'keysmith/mcp';
import { deniedArgument, resourceArguments } from '../../adapters/mcp/policy.js';

const perms = (over: Partial<Permissions> = {}): Permissions => ({ scopes: [], roles: [], resources: {}, requireMapping: false, mcp: DEFAULT_MCP, ...over });
const ro = { name: 'read', annotations: { readOnlyHint: true } };
const rw = { name: 'write', annotations: { readOnlyHint: false } };

describe('mayUseTool', () => {
  it('applies mcp.enabled, allow/deny lists, readOnly and tool scopes', () => {
    expect(mayUseTool(perms(), rw)).toBe(true);
    expect(mayUseTool(perms({ mcp: { ...DEFAULT_MCP, enabled: false } }), ro)).toBe(false);
    expect(mayUseTool(perms({ mcp: { ...DEFAULT_MCP, tools: { mode: 'allow', names: ['read'] } } }), ro)).toBe(true);
    expect(mayUseTool(perms({ mcp: { ...DEFAULT_MCP, tools: { mode: 'allow', names: ['read'] } } }), rw)).toBe(false);
    expect(mayUseTool(perms({ mcp: { ...DEFAULT_MCP, tools: { mode: 'deny', names: ['read'] } } }), ro)).toBe(false);
    expect(mayUseTool(perms({ mcp: { ...DEFAULT_MCP, readOnly: true } }), ro)).toBe(true);
    expect(mayUseTool(perms({ mcp: { ...DEFAULT_MCP, readOnly: true } }), rw)).toBe(false);
    expect(mayUseTool(perms({ mcp: { ...DEFAULT_MCP, readOnly: true } }), { name: 'unknown' })).toBe(false);
    const rules = { toolScopes: { write: ['notes:write', 'audit:write'] } };
    expect(mayUseTool(perms({ scopes: ['notes:write'] }), rw, rules)).toBe(false);
    expect(mayUseTool(perms({ scopes: ['notes:write', 'audit:*'] }), rw, rules)).toBe(true);
    expect(mayUseTool(perms(), { name: 'toString' }, rules)).toBe(true); // no prototype lookups
  });
});

describe('deniedArgument', () => {
  const p1 = perms({ resources: { project: ['p1', 'p3'] } });
  it('checks mapped arguments: strings, numbers and arrays; other shapes fail closed', () => {
    const resources = { projectId: 'project' };
    expect(deniedArgument(p1, 't', { projectId: 'p1' }, resources)).toBeNull();
    expect(deniedArgument(p1, 't', { projectId: ['p1', 'p3'] }, resources)).toBeNull();
    expect(deniedArgument(p1, 't', { projectId: ['p1', 'p2'] }, resources)).toEqual({ argument: 'projectId', kind: 'project' });
    expect(deniedArgument(p1, 't', { projectId: { id: 'p1' } }, resources)).not.toBeNull();
    expect(deniedArgument(p1, 't', { projectId: null }, resources)).not.toBeNull();
    expect(deniedArgument(p1, 't', {}, resources)).toBeNull();
    expect(deniedArgument(p1, 't', undefined, resources)).toBeNull();
    expect(deniedArgument(perms({ resources: { project: ['7'] } }), 't', { projectId: 7 }, resources)).toBeNull();
  });

  it('honours requireMapping (an empty list denies)', () => {
    const strict = perms({ requireMapping: true });
    expect(deniedArgument(strict, 't', { projectId: 'p1' }, { projectId: 'project' })).not.toBeNull();
  });

  it('per-tool mappings win over global ones', () => {
    expect(resourceArguments('deploy', { id: 'note', deploy: { id: 'instance', region: 'region' } })).toEqual([
      ['id', 'instance'],
      ['region', 'region'],
    ]);
    expect(resourceArguments('other', { id: 'note', deploy: { id: 'instance' } })).toEqual([['id', 'note']]);
  });
});

describe('options are checked where they are given', () => {
  it('a bad scope, cost, horizon or query fails at construction', async () => {
    const { testKeyring } = await import('./harness.js');
    const { mcpTokenVerifier, mcpAuth, guardMcpServer } = await import('keysmith/mcp');
    const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
    const { keyring } = testKeyring();
    expect(() => mcpTokenVerifier(keyring, { scopes: ['not a scope'] })).toThrow(/Invalid keysmith\/mcp options: scopes\.0/);
    expect(() => mcpTokenVerifier(keyring, { cost: -1 })).toThrow(/cost/);
    expect(() => mcpAuth(keyring, { expiryHorizonSeconds: 0 })).toThrow(/expiryHorizonSeconds/);
    expect(() => mcpAuth(keyring, { query: 'a:read AND (' })).toThrow();
    expect(() => guardMcpServer(new McpServer({ name: 's', version: '1' }), keyring, { scopes: ['bad scope'] })).toThrow(/scopes/);
  });
});
