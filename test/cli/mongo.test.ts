/**
 * The built binary with `--store mongodb://…`: the official driver in the CLI process, against the
 * project's MongoDB wire-protocol server (and a real server when KEYSMITH_MONGO_URL is set). The
 * full command set is covered on PostgreSQL in commands.test.ts; this is the MongoDB path end to end.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseToken } from 'keysmith';
import { startMongoWireServer, type MongoWireServer } from '../support/mongo-wire/index.js';
import { assertBuilt, runCli } from './support.js';

const TIMEOUT = 120_000;
const REAL = process.env.KEYSMITH_MONGO_URL;

const targets: { label: string; url: () => Promise<{ url: string; close(): Promise<void> }> }[] = [
  {
    label: 'the MongoDB wire test server',
    url: async () => {
      const server: MongoWireServer = await startMongoWireServer();
      return { url: `mongodb://127.0.0.1:${server.port}/keysmith_cli?directConnection=true`, close: () => server.close() };
    },
  },
  ...(REAL
    ? [
        {
          label: 'a real MongoDB server (KEYSMITH_MONGO_URL)',
          url: async () => {
            const url = new URL(REAL);
            url.pathname = `/keysmith_cli_${randomBytes(4).toString('hex')}`;
            return { url: url.toString(), close: async () => {} };
          },
        },
      ]
    : []),
];

describe.each(targets)('keysmith CLI against $label', ({ url }) => {
  let store: { url: string; close(): Promise<void> };
  const cli = (args: string[], input?: string) => runCli([...args, '--store', store.url, '--prefix', 'cli_mongo'], input === undefined ? {} : { input });
  beforeAll(async () => {
    assertBuilt();
    store = await url();
  }, TIMEOUT);
  afterAll(() => store?.close());

  it(
    'migrate ensures the indexes; create, list, get, verify, revoke work, and another tenant sees nothing',
    async () => {
      const migrated = await cli(['migrate']);
      expect(migrated.code, migrated.stderr).toBe(0);
      expect(migrated.stderr).toMatch(/indexes ensured: /);

      const created = await cli(['create', '--tenant', 'acme', '--name', 'deploy bot', '--scopes', 'evidence:read']);
      expect(created.code, created.stderr).toBe(0);
      const token = created.stdout.trim();
      const parts = parseToken(token);
      expect(parts?.prefix).toBe('cli_mongo');
      const id = parts!.id;
      expect(created.stderr).not.toContain(parts!.secret);

      const listed = JSON.parse((await cli(['list', '--tenant', 'acme', '--json'])).stdout);
      expect(listed.items.map((k: { id: string }) => k.id)).toEqual([id]);
      expect(JSON.stringify(listed)).not.toContain(parts!.secret);
      expect(JSON.parse((await cli(['list', '--tenant', 'globex', '--json'])).stdout).items).toEqual([]);

      const got = await cli(['get', id, '--tenant', 'acme', '--json']);
      expect(got.code, got.stderr).toBe(0);
      expect(JSON.parse(got.stdout)).toMatchObject({ id, tenantId: 'acme', name: 'deploy bot', status: 'active' });
      const other = await cli(['get', id, '--tenant', 'globex']);
      expect(other.code).toBe(1);

      expect((await cli(['verify', '--scopes', 'evidence:read'], token)).code).toBe(0);
      expect((await cli(['verify', '--scopes', 'billing:write'], token)).code).toBe(1);

      const revoked = await cli(['revoke', id, '--tenant', 'acme', '--yes']);
      expect(revoked.code, revoked.stderr).toBe(0);
      const after = await cli(['verify'], token);
      expect(after.code).toBe(1);
      expect(after.stdout).toMatch(/^invalid: REVOKED/);
    },
    TIMEOUT,
  );
});
