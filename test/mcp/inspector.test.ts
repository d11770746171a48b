// The MCP Inspector CLI, as a separate process, against examples/mcp-server run as a separate
// process too (with PORT, and its admin API to revoke and pause keys). Both pinned Inspectors run:
// 0.17.5 (the last 0.x line; shows the server's answer on a 401) and 2.12.0 (current; starts OAuth
// on any 401 unless run with --stored-auth-only). docs/mcp-endpoint.md records what each does.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const INSPECTOR_0 = join(ROOT, 'node_modules/@modelcontextprotocol/inspector/cli/build/cli.js');
const INSPECTOR_2 = join(ROOT, 'node_modules/mcp-inspector-2/clients/launcher/build/index.js');
/** In the mcp helper's port range (COORDINATION.md): the example must honour PORT. */
const PORT = 41501;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let example: ChildProcess;
let home: string;
const demo = { url: '', admin: '', readOnly: '', full: '', adminToken: '', fullId: '' };

function inspector(version: 0 | 2, args: string[]): Promise<Run> {
  const [entry, extra] = version === 0 ? [INSPECTOR_0, []] : [INSPECTOR_2, ['--format', 'json']];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [entry, '--cli', demo.url, '--transport', 'http', ...args, ...extra],
      // Its own HOME: Inspector 2 keeps a catalog and OAuth state there; secrets in memory only.
      { timeout: 90_000, env: { ...process.env, HOME: home, MCP_INSPECTOR_SECRET_STORE: 'memory', NO_COLOR: '1' } },
      (error, stdout, stderr) => resolve({ code: typeof error?.code === 'number' ? error.code : error ? -1 : 0, stdout, stderr }),
    );
  });
}

const bearer = (token: string) => ['--header', `Authorization: Bearer ${token}`];
const listTools = (version: 0 | 2, token: string | null, more: string[] = []) =>
  inspector(version, ['--method', 'tools/list', ...(token ? bearer(token) : []), ...more]);
const names = (run: Run, version: 0 | 2): string[] => {
  const parsed = JSON.parse(run.stdout) as { tools?: { name: string }[]; result?: { tools: { name: string }[] } };
  return (version === 0 ? parsed.tools! : parsed.result!.tools).map((t) => t.name).sort();
};
const adminCall = (method: string, path: string, body?: unknown) =>
  fetch(`${demo.admin}${path}`, {
    method,
    headers: { authorization: `Bearer ${demo.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'keysmith-inspector-'));
  example = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'examples/mcp-server/server.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(PORT) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const collect = (chunk: Buffer) => {
    out += chunk.toString();
  };
  example.stdout!.on('data', collect);
  example.stderr!.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start:\n${out}`)), 110_000);
    const check = () => {
      if (!/curl -X DELETE/.test(out)) return;
      clearTimeout(timer);
      resolve();
    };
    example.stdout!.on('data', check);
    example.once('exit', (code) => reject(new Error(`the example exited (${code}):\n${out}`)));
  });
  demo.url = /MCP server on (\S+),/.exec(out)![1]!;
  demo.admin = /admin API on (\S+)/.exec(out)![1]!;
  demo.readOnly = /read-only key[^\n]*\n\s+(\S+)/.exec(out)![1]!;
  const full = /full key[^\n]*id (\w+):\n\s+(\S+)/.exec(out)!;
  demo.fullId = full[1]!;
  demo.full = full[2]!;
  demo.adminToken = /admin key[^\n]*\n\s+(\S+)/.exec(out)![1]!;
}, 120_000);

afterAll(() => {
  example?.kill('SIGINT');
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('examples/mcp-server as a process', () => {
  it('listens on PORT and answers 401 without a key', async () => {
    expect(demo.url).toBe(`http://127.0.0.1:${PORT}/mcp`);
    const res = await fetch(demo.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="mcp"');
  });
});

describe.each([0, 2] as const)('MCP Inspector CLI %s.x', (version) => {
  it('lists every tool for the full key and the reading tools for the read-only key', async () => {
    const [full, readOnly] = await Promise.all([listTools(version, demo.full), listTools(version, demo.readOnly)]);
    expect(full.code, full.stderr).toBe(0);
    expect(names(full, version)).toEqual(['delete_note', 'list_notes', 'read_note', 'write_note']);
    expect(names(readOnly, version)).toEqual(['list_notes', 'read_note']);
  }, 120_000);

  it('refuses a tool the key may not use as "not found"', async () => {
    const run = await inspector(version, ['--method', 'tools/call', '--tool-name', 'write_note', '--tool-arg', 'id=x', 'body=y', ...bearer(demo.readOnly)]);
    if (version === 0) {
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ content: [{ type: 'text', text: 'MCP error -32602: Tool write_note not found' }], isError: true });
    } else {
      // Inspector 2 looks the tool up in tools/list first: the hidden tool is not there.
      expect(run.code).toBe(5);
      expect(JSON.parse(run.stdout || run.stderr).error.code).toBe('tool_not_found');
    }
  }, 120_000);

  it("shows the key's own error for no key and for a revoked key", async () => {
    const created = await adminCall('POST', '/keys', { name: `to revoke ${version}`, preset: 'read-only' });
    expect(created.status).toBe(201);
    const { key, token } = (await created.json()) as { key: { id: string }; token: string };
    expect((await adminCall('DELETE', `/keys/${key.id}`)).status).toBe(204);
    // Inspector 2 needs --stored-auth-only, or any 401 starts its OAuth flow (see below).
    const more = version === 2 ? ['--stored-auth-only'] : [];
    const [none, revoked] = await Promise.all([listTools(version, null, more), listTools(version, token, more)]);
    expect(none.code).not.toBe(0);
    expect(none.stdout + none.stderr).toContain('MISSING_CREDENTIALS');
    expect(revoked.code).not.toBe(0);
    expect(revoked.stdout + revoked.stderr).toContain('The API key has been revoked');
  }, 120_000);

  it('follows a pause and a resume of the key between runs', async () => {
    expect((await adminCall('POST', `/keys/${demo.fullId}/toggle-active`)).status).toBe(200);
    try {
      const paused = await listTools(version, demo.full, version === 2 ? ['--stored-auth-only'] : []);
      expect(paused.code).not.toBe(0);
      expect(paused.stdout + paused.stderr).toContain('The API key is disabled');
    } finally {
      expect((await adminCall('POST', `/keys/${demo.fullId}/toggle-active`)).status).toBe(200);
    }
    expect(names(await listTools(version, demo.full), version)).toHaveLength(4);
  }, 120_000);
});

describe('MCP Inspector CLI 2.x without --stored-auth-only', () => {
  it('turns any 401 into its OAuth flow (which needs a TTY) instead of showing the answer', async () => {
    const run = await listTools(2, null);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout || run.stderr).error.message).toMatch(/Interactive OAuth requires a TTY/);
  }, 120_000);
});
