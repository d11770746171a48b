/**
 * `keysmith scan` of the built binary over a generated fixture tree: real tokens (minted by the
 * CLI into a PGlite store, and by another keyring), decoys whose checksum is wrong, a binary file,
 * node_modules, a token across the 1 MiB read boundary, and a git history with a deleted token.
 * The SARIF output is validated against the official SARIF 2.1.0 schema.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring, parseToken } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { assertBuilt, type CliStore, pgliteStore, runCli } from './support.js';

const PREFIX = 'cli_scan';
const TIMEOUT = 120_000;

/** The same token with its last checksum character changed: right shape, wrong checksum. */
const badChecksum = (token: string) => `${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`;
/** The same token with one secret character changed (the checksum no longer holds). */
const badSecret = (token: string) => {
  const i = token.length - 10;
  return `${token.slice(0, i)}${token[i] === 'x' ? 'y' : 'x'}${token.slice(i + 1)}`;
};

interface Expected {
  path: string;
  line: number;
  column: number;
  keyId: string;
}

describe('keysmith scan (built binary, fixture tree)', () => {
  let store: CliStore;
  let dir: string;
  const tokens: Record<'live' | 'history' | 'toRevoke' | 'other', string> = { live: '', history: '', toRevoke: '', other: '' };
  let expectedFiles: Expected[] = [];
  let historyCommit = '';
  const idOf = (token: string) => parseToken(token)!.id;

  const mint = async (name: string) => {
    const r = await runCli(['create', '--tenant', 'acme', '--name', name, ...store.flags]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.trim();
  };
  const scan = (args: string[], input?: string) => runCli(['scan', ...args], { cwd: dir, ...(input === undefined ? {} : { input }) });
  const noSecretIn = (text: string) => {
    for (const token of Object.values(tokens)) expect(text).not.toContain(parseToken(token)!.secret);
  };

  beforeAll(async () => {
    assertBuilt();
    store = pgliteStore(PREFIX);
    expect((await runCli(['migrate', ...store.flags])).code).toBe(0);
    tokens.live = await mint('web app');
    tokens.history = await mint('old deploy');
    tokens.toRevoke = await mint('leaked twice');
    tokens.other = (await createKeyring({ store: memoryStore(), prefix: 'other_app' }).create({ tenantId: 't', name: 'n' })).token;

    dir = mkdtempSync(join(tmpdir(), 'keysmith-scan-'));
    const write = (path: string, content: string | Buffer) => {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), content);
    };
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd: dir, stdio: 'pipe' });

    git('init', '-q');
    // History: a token committed, then the file deleted.
    write('deploy/.env', `# deploy\nAPI_KEY=${tokens.history}\n`);
    git('add', '-A');
    git('commit', '-qm', 'add deploy env');
    historyCommit = git('rev-parse', 'HEAD').toString().trim();
    git('rm', '-q', 'deploy/.env');
    git('commit', '-qm', 'remove it');

    // The working tree.
    write('src/config.ts', `export const config = {\n  apiKey: '${tokens.live}',\n};\n`);
    write('src/glued.txt', `prefix_${tokens.toRevoke} and "${tokens.other}"\n`);
    write('src/decoys.txt', `${badChecksum(tokens.live)}\n${badSecret(tokens.live)}\n${PREFIX}_${'A'.repeat(16)}_${'b'.repeat(38)}\n`);
    write('node_modules/pkg/index.js', `module.exports = '${tokens.live}';\n`);
    write('assets/image.bin', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]), Buffer.from(tokens.live)]));
    // A token across the 1 MiB read boundary, on line 3.
    const boundary = 1 << 20;
    const filler = `${'x'.repeat(100)}\n${'y'.repeat(100)}\n`;
    write('logs/big.log', `${filler}${'z'.repeat(boundary - filler.length - 20)}=${tokens.toRevoke}\nend\n`);
    git('add', '-A');
    git('commit', '-qm', 'app');

    expectedFiles = [
      { path: 'logs/big.log', line: 3, column: boundary - filler.length - 20 + 2, keyId: idOf(tokens.toRevoke) },
      { path: 'src/config.ts', line: 2, column: 12, keyId: idOf(tokens.live) },
      { path: 'src/glued.txt', line: 1, column: 8, keyId: idOf(tokens.toRevoke) },
      { path: 'src/glued.txt', line: 1, column: 8 + tokens.toRevoke.length + 6, keyId: idOf(tokens.other) },
    ];
  }, TIMEOUT);
  afterAll(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'finds the real tokens (checksum-confirmed), skips decoys, binary files and node_modules; exit 1',
    async () => {
      const r = await scan([]);
      expect(r.code, r.stderr).toBe(1);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toEqual(
        expectedFiles.map((e) => {
          const token = Object.values(tokens).find((t) => idOf(t) === e.keyId)!;
          return `${e.path}:${e.line}:${e.column}  ${token.slice(0, token.length - 34)}…  key ${e.keyId}`;
        }),
      );
      expect(r.stderr).toMatch(/Found 4 tokens of 3 keys in \d+ files \([\d.]+ MB, 1 binary skipped\)/);
      noSecretIn(r.stdout + r.stderr);
    },
    TIMEOUT,
  );

  it(
    '--format json lists each finding with preview and key id, never the secret',
    async () => {
      const r = await scan(['--format', 'json']);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout);
      expect(report.findings.map((f: Expected) => ({ path: f.path, line: f.line, column: f.column, keyId: f.keyId }))).toEqual(expectedFiles);
      expect(report.findings[1]).toMatchObject({ source: 'file', prefix: PREFIX, preview: `${tokens.live.slice(0, tokens.live.length - 34)}…` });
      expect(report.stats).toMatchObject({ skippedBinary: 1 });
      noSecretIn(r.stdout);
    },
    TIMEOUT,
  );

  it(
    '--key-prefix keeps only that prefix’s tokens; paths limit the scan; a named node_modules is scanned',
    async () => {
      const r = await scan(['--key-prefix', 'other_app', '--json']);
      expect(JSON.parse(r.stdout).findings.map((f: Expected) => f.keyId)).toEqual([idOf(tokens.other)]);
      const one = await scan(['src/config.ts']);
      expect(one.code).toBe(1);
      expect(one.stdout.trim().split('\n')).toHaveLength(1);
      const clean = await scan(['src/decoys.txt', 'assets']);
      expect(clean.code).toBe(0);
      expect(clean.stdout).toBe('');
      expect(clean.stderr).toBe('No keysmith tokens found in 2 files (0.0 MB, 1 binary skipped).\n');
      const named = await scan(['node_modules']);
      expect(named.code).toBe(1);
      expect(named.stdout).toMatch(/^node_modules\/pkg\/index\.js:1:19 /);
    },
    TIMEOUT,
  );

  it(
    '--git also scans the history: the deleted token is found with the commit that added it',
    async () => {
      const r = await scan(['--git', '--json']);
      expect(r.code).toBe(1);
      const { findings } = JSON.parse(r.stdout);
      const history = findings.filter((f: { source: string }) => f.source === 'git');
      // Blobs still in the tree at the same path are not reported twice.
      expect(history).toEqual([
        expect.objectContaining({
          path: 'deploy/.env',
          line: 2,
          column: 9,
          keyId: idOf(tokens.history),
          commit: historyCommit,
          blob: expect.stringMatching(/^[0-9a-f]{40}$/),
        }),
      ]);
      expect(findings).toHaveLength(expectedFiles.length + 1);
      noSecretIn(r.stdout + r.stderr);
      const outside = await runCli(['scan', '--git', '.'], { cwd: tmpdir() });
      expect(outside.code).toBe(2);
      expect(outside.stderr.trim()).toMatch(/^keysmith: --git: .* is not inside a git repository/);
    },
    TIMEOUT,
  );

  it(
    '--format sarif is valid SARIF 2.1.0 (official schema) with one located result per finding',
    async () => {
      const r = await scan(['--git', '--format', 'sarif']);
      expect(r.code).toBe(1);
      const log = JSON.parse(r.stdout);
      // The OASIS schema (vendored unchanged) is written in draft-04, whose only difference that it
      // uses is the top-level `id`; ajv's draft-07 validator reads it once that is spelled `$id`.
      const { $schema: _draft, id, ...schema } = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/sarif-schema-2.1.0.json'), 'utf8'));
      const ajv = new Ajv({ allErrors: true, strict: false });
      addFormats.default(ajv);
      const validate = ajv.compile({ ...schema, $id: id });
      expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
      // The validator is not vacuous: a result without its required message is refused.
      const broken = structuredClone(log);
      delete broken.runs[0].results[0].message;
      expect(validate(broken)).toBe(false);

      const results = log.runs[0].results;
      expect(results).toHaveLength(expectedFiles.length + 1);
      expect(results[1]).toMatchObject({
        ruleId: 'keysmith/leaked-api-key',
        level: 'error',
        locations: [{ physicalLocation: { artifactLocation: { uri: 'src/config.ts', uriBaseId: 'SRCROOT' }, region: { startLine: 2, startColumn: 12 } } }],
        partialFingerprints: { 'keysmithKeyId/v1': idOf(tokens.live) },
      });
      noSecretIn(r.stdout);
    },
    TIMEOUT,
  );

  it(
    '--check-store says whether each found key is live (other keyrings’ keys are unknown)',
    async () => {
      const r = await runCli(['scan', '--git', '--check-store', '--json', ...store.flags], { cwd: dir });
      expect(r.code, r.stderr).toBe(1);
      const status = Object.fromEntries(JSON.parse(r.stdout).findings.map((f: { keyId: string; status: string }) => [f.keyId, f.status]));
      expect(status).toEqual({
        [idOf(tokens.live)]: 'active',
        [idOf(tokens.toRevoke)]: 'active',
        [idOf(tokens.other)]: 'unknown',
        [idOf(tokens.history)]: 'active',
      });
    },
    TIMEOUT,
  );

  it(
    '--revoke asks for each live key’s name: a wrong name keeps it, the right one revokes it',
    async () => {
      // The scan of src/glued.txt finds two keys: toRevoke (ours, asked for) and other (unknown, not asked).
      const refused = await runCli(['scan', 'src/glued.txt', '--revoke', ...store.flags], { cwd: dir, input: 'wrong name\n' });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/Not revoked: key /);
      expect(refused.stdout).toMatch(/\[active\]/);
      const revoked = await runCli(['scan', 'src/glued.txt', '--revoke', ...store.flags], { cwd: dir, input: 'leaked twice\n' });
      expect(revoked.code).toBe(1);
      expect(revoked.stderr).toContain(`Revoked key ${idOf(tokens.toRevoke)} ("leaked twice") of tenant acme.`);
      expect(revoked.stdout).toMatch(/\[revoked, revoked now\]/);
      const verify = await runCli(['verify', ...store.flags], { input: tokens.toRevoke });
      expect(verify.stdout).toMatch(/^invalid: REVOKED/);
      const yes = await runCli(['scan', 'src/config.ts', '--revoke', '--yes', '--json', ...store.flags], { cwd: dir });
      expect(JSON.parse(yes.stdout).findings[0]).toMatchObject({ keyId: idOf(tokens.live), status: 'revoked', revoked: true });
    },
    TIMEOUT,
  );
});
