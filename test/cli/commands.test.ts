/**
 * Every store-backed command of the built binary, run as a separate process against PGlite and
 * (with KEYSMITH_PG_URL) the real PostgreSQL server: what goes to stdout and stderr, exit codes,
 * stdin handling, tenant isolation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseToken } from 'keysmith';
import { MIGRATIONS } from 'keysmith/postgres';
import { assertBuilt, type CliStore, runCli, STORE_KINDS } from './support.js';

const PREFIX = 'cli_test';
const TIMEOUT = 120_000;

describe.each(STORE_KINDS)('keysmith CLI against $label', ({ open }) => {
  let store: CliStore;
  const cli = (args: string[], input?: string) => runCli([...args, ...store.flags], input === undefined ? {} : { input });
  let token = '';
  let id = '';

  beforeAll(async () => {
    assertBuilt();
    store = await open(PREFIX);
  }, TIMEOUT);
  afterAll(() => store?.close());

  it(
    'commands before migrate fail with one line naming the fix, exit 2',
    async () => {
      const r = await cli(['list', '--tenant', 'acme']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe('keysmith: the key store is unavailable: the key table does not exist: run `keysmith migrate` first');
      expect(r.stdout).toBe('');
    },
    TIMEOUT,
  );

  it(
    'migrate --print writes the SQL for the table; migrate applies it once (idempotent)',
    async () => {
      const printed = await cli(['migrate', '--print']);
      expect(printed.code).toBe(0);
      for (const m of MIGRATIONS) expect(printed.stdout).toContain(`-- ${m.name}\n`);
      expect(printed.stdout).toMatch(/CREATE TABLE/);
      const first = await cli(['migrate']);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toContain(`applied migrations ${MIGRATIONS.map((m) => m.version).join(', ')}`);
      const second = await cli(['migrate']);
      expect(second.code).toBe(0);
      expect(second.stderr).toMatch(/already up to date/);
    },
    TIMEOUT,
  );

  it(
    'create prints the token alone on stdout and the details on stderr',
    async () => {
      const r = await cli(['create', '--tenant', 'acme', '--name', 'deploy bot', '--scopes', 'evidence:read,controls:write', '--expires', '90d']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.endsWith('\n')).toBe(true);
      token = r.stdout.trimEnd();
      expect(token.split('\n')).toHaveLength(1);
      const parts = parseToken(token);
      expect(parts?.prefix).toBe(PREFIX);
      id = parts!.id;
      expect(r.stderr).toContain(`Created key ${id}`);
      expect(r.stderr).toContain('evidence:read, controls:write');
      // stderr shows the preview, never the secret.
      expect(r.stderr).not.toContain(parts!.secret);
    },
    TIMEOUT,
  );

  it(
    'create --json writes the key as JSON on stderr; stdout is still only the token',
    async () => {
      const r = await cli(['create', '--tenant', 'acme', '--name', 'ci', '--preset', 'read-only', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(parseToken(r.stdout.trim())).not.toBeNull();
      const { key } = JSON.parse(r.stderr);
      expect(key).toMatchObject({ tenantId: 'acme', name: 'ci', preset: 'read-only', status: 'active' });
      expect(key.hash).toBeUndefined();
    },
    TIMEOUT,
  );

  it(
    'create with invalid input exits 2 with one line; a missing required option is a usage error',
    async () => {
      const bad = await cli(['create', '--tenant', 'acme', '--name', 'x', '--expires', 'soon']);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split('\n')).toEqual(['keysmith: invalid input: expiresIn: Use a duration such as "7d", "30d", "12h" or milliseconds']);
      expect(bad.stdout).toBe('');
      const usage = await cli(['create', '--tenant', 'acme']);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/required option '--name <name>' not specified/);
    },
    TIMEOUT,
  );

  it(
    'list shows a table on stdout; --json gives the page; tenants are isolated',
    async () => {
      const text = await cli(['list', '--tenant', 'acme']);
      expect(text.code).toBe(0);
      expect(text.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+STATUS\s+PREVIEW/);
      expect(text.stdout).toContain(id);
      expect(text.stderr).toMatch(/2 keys in tenant acme/);
      const json = JSON.parse((await cli(['list', '--tenant', 'acme', '--json', '--search', 'deploy'])).stdout);
      expect(json).toMatchObject({ total: 1, page: 1, limit: 20 });
      expect(json.items[0]).toMatchObject({ id, name: 'deploy bot', status: 'active' });
      const other = JSON.parse((await cli(['list', '--tenant', 'globex', '--json'])).stdout);
      expect(other.total).toBe(0);
    },
    TIMEOUT,
  );

  it(
    "get shows one key; another tenant's key is not found (exit 1)",
    async () => {
      const r = await cli(['get', id, '--tenant', 'acme', '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ id, tenantId: 'acme', scopes: ['evidence:read', 'controls:write'] });
      const text = await cli(['get', id, '--tenant', 'acme']);
      expect(text.stdout).toMatch(new RegExp(`^id\\s+${id}$`, 'm'));
      const other = await cli(['get', id, '--tenant', 'globex']);
      expect(other.code).toBe(1);
      expect(other.stderr.trim()).toBe(`keysmith: no key ${id} in tenant globex`);
    },
    TIMEOUT,
  );

  it(
    'verify reads the token from stdin: valid exits 0, scopes are checked, garbage and empty input fail',
    async () => {
      const valid = await cli(['verify'], `${token}\n`);
      expect(valid.code, valid.stderr).toBe(0);
      expect(valid.stdout.trim()).toBe(`valid: key ${id} ("deploy bot") of tenant acme, ${token.slice(0, PREFIX.length + 22)}…`);
      const json = await cli(['verify', '--json', '--scopes', 'evidence:read'], token);
      expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, key: { id } });
      const scope = await cli(['verify', '--scopes', 'billing:write'], token);
      expect(scope.code).toBe(1);
      expect(scope.stdout).toMatch(/^invalid: INSUFFICIENT_SCOPE: /);
      const typo = await cli(['verify'], `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`);
      expect(typo.code).toBe(1);
      expect(typo.stdout.trim()).toBe('invalid: MALFORMED: The API key is malformed');
      const empty = await cli(['verify'], '');
      expect(empty.code).toBe(2);
      expect(empty.stderr.trim()).toBe('keysmith: verify reads the token from stdin: nothing was given');
    },
    TIMEOUT,
  );

  it(
    'verify takes no token argument (it would land in shell history)',
    async () => {
      const r = await cli(['verify', token]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/too many arguments/);
    },
    TIMEOUT,
  );

  it(
    'pause makes verify answer DISABLED; resume brings the key back',
    async () => {
      const paused = await cli(['pause', id, '--tenant', 'acme']);
      expect(paused.code).toBe(0);
      expect(paused.stderr).toMatch(/is paused/);
      expect((await cli(['verify'], token)).stdout).toMatch(/^invalid: DISABLED/);
      const resumed = await cli(['resume', id, '--tenant', 'acme', '--json']);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ id, enabled: true, status: 'active' });
      expect((await cli(['verify'], token)).code).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'rotate --grace prints only the new token; both work during the grace period',
    async () => {
      const r = await cli(['rotate', id, '--tenant', 'acme', '--grace', '1h']);
      expect(r.code, r.stderr).toBe(0);
      const next = r.stdout.trim();
      const parts = parseToken(next);
      expect(parts).not.toBeNull();
      expect(parts!.id).not.toBe(id);
      expect(r.stderr).toMatch(new RegExp(`Rotated ${id}: the old token keeps working until `));
      expect((await cli(['verify'], token)).code).toBe(0);
      expect((await cli(['verify'], next)).code).toBe(0);
      const bad = await cli(['rotate', parts!.id, '--tenant', 'acme', '--grace', 'later']);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim()).toBe('keysmith: --grace: not a duration: later (use e.g. 30m, 1h, 7d)');
      token = next;
      id = parts!.id;
    },
    TIMEOUT,
  );

  it(
    "revoke refuses unless the key's name is typed (stdin), then revokes for good",
    async () => {
      const refused = await cli(['revoke', id, '--tenant', 'acme'], 'deploy\n');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/Type the name of key/);
      expect(refused.stderr).toMatch(/keysmith: refused: the name did not match; nothing was revoked/);
      expect((await cli(['verify'], token)).code).toBe(0);
      const noInput = await cli(['revoke', id, '--tenant', 'acme'], '');
      expect(noInput.code).toBe(1);
      const done = await cli(['revoke', id, '--tenant', 'acme'], 'deploy bot\n');
      expect(done.code, done.stderr).toBe(0);
      expect(done.stderr).toMatch(new RegExp(`Revoked key ${id}`));
      expect((await cli(['verify'], token)).stdout).toMatch(/^invalid: REVOKED/);
      const again = await cli(['revoke', id, '--tenant', 'acme', '--yes']);
      expect(again.code).toBe(1);
    },
    TIMEOUT,
  );

  it(
    'revoke --yes does not ask',
    async () => {
      const created = await cli(['create', '--tenant', 'acme', '--name', 'temp']);
      const tempId = parseToken(created.stdout.trim())!.id;
      const r = await cli(['revoke', tempId, '--tenant', 'acme', '--yes', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/Type the name/);
      expect(JSON.parse(r.stdout)).toMatchObject({ id: tempId, status: 'revoked', revokedBy: 'keysmith-cli' });
    },
    TIMEOUT,
  );

  it(
    'openapi prints the OpenAPI 3.1 document of the admin API',
    async () => {
      const r = await cli(['openapi', '--base-path', '/keys-admin']);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.servers[0].url).toBe('/keys-admin');
      expect(Object.keys(doc.paths)).toContain('/keys');
    },
    TIMEOUT,
  );
});

describe('keysmith CLI: usage, configuration and outages', () => {
  beforeAll(assertBuilt);

  it(
    '--help on the program and on every command exits 0',
    async () => {
      const top = await runCli(['--help']);
      expect(top.code).toBe(0);
      for (const command of ['migrate', 'create', 'list', 'get', 'pause', 'resume', 'rotate', 'revoke', 'verify', 'scan', 'openapi']) {
        expect(top.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
        const r = await runCli([command, '--help']);
        expect(r.code, command).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^Usage: keysmith ${command} `));
      }
    },
    TIMEOUT,
  );

  it('an unknown command or option is a usage error (exit 2)', async () => {
    expect((await runCli(['nope'])).code).toBe(2);
    const r = await runCli(['list', '--tenant', 'a', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('no configuration at all: exit 2, one line', async () => {
    const r = await runCli(['list', '--tenant', 'a'], { cwd: '/' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'keysmith: no configuration: add keysmith.config.ts (or .js) here, or pass --store <url> --prefix <prefix> (or set KEYSMITH_STORE)',
    );
  });

  it('--store without --prefix, a bad URL, or an unknown scheme: exit 2, one line', async () => {
    const cases: [string[], string][] = [
      [['--store', 'pglite:memory'], 'keysmith: --store needs --prefix (or KEYSMITH_PREFIX): the prefix of the keyring, e.g. sk_live'],
      [['--store', 'not a url', '--prefix', 'sk'], 'keysmith: --store must be a URL: postgres://…, mongodb://… or pglite:<dir>'],
      [['--store', 'redis://localhost', '--prefix', 'sk'], 'keysmith: --store: unsupported scheme "redis:" (use postgres://, mongodb:// or pglite:<dir>)'],
    ];
    for (const [flags, line] of cases) {
      const r = await runCli(['list', '--tenant', 'a', ...flags]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(line);
    }
  });

  it(
    'KEYSMITH_STORE and KEYSMITH_PREFIX come from the environment (no secret on the command line)',
    async () => {
      const r = await runCli(['list', '--tenant', 'a'], { env: { KEYSMITH_STORE: 'pglite:memory', KEYSMITH_PREFIX: 'sk' } });
      // An in-memory PGlite has no table yet: the store was opened from the environment.
      expect(r.stderr.trim()).toBe('keysmith: the key store is unavailable: the key table does not exist: run `keysmith migrate` first');
      const pepper = await runCli(['list', '--tenant', 'a'], { env: { KEYSMITH_STORE: 'pglite:memory', KEYSMITH_PREFIX: 'sk', KEYSMITH_PEPPER: 'nocolon' } });
      expect(pepper.code).toBe(2);
      expect(pepper.stderr.trim()).toBe('keysmith: KEYSMITH_PEPPER must be <id>:<secret> (for example p1:<random>)');
    },
    TIMEOUT,
  );

  it(
    'a store outage is one clear line and exit 2, never a stack trace (PostgreSQL and MongoDB)',
    async () => {
      const pgDown = await runCli(['list', '--tenant', 'a', '--store', 'postgres://postgres:secret-pw@127.0.0.1:1/test', '--prefix', 'sk']);
      expect(pgDown.code).toBe(2);
      expect(pgDown.stderr.trim()).toBe('keysmith: the key store is unavailable: connection failed (ECONNREFUSED)');
      expect(pgDown.stderr).not.toContain('secret-pw');
      const mongoDown = await runCli(['list', '--tenant', 'a', '--store', 'mongodb://127.0.0.1:1/keys?serverSelectionTimeoutMS=300', '--prefix', 'sk']);
      expect(mongoDown.code).toBe(2);
      expect(mongoDown.stderr.trim().split('\n')).toHaveLength(1);
      expect(mongoDown.stderr).toMatch(/^keysmith: the key store is unavailable: /);
      expect(mongoDown.stderr).not.toMatch(/\n\s+at /);
    },
    TIMEOUT,
  );
});
