import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import type { PgListenClient } from 'keysmith/postgres';

/**
 * `new PGlite()` runs initdb inside WebAssembly every time: 5–10 s each on a loaded 2-core machine,
 * which made PGlite boots most of `npm test`. The cluster initdb makes is always the same, so it is
 * made once (per PGlite version, kept in the OS temp directory across runs) and every test database
 * starts from a copy of it: the same empty, fresh cluster, booted in a second or two.
 */
const pgliteDir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
const { version } = JSON.parse(await readFile(join(pgliteDir, '..', 'package.json'), 'utf8')) as { version: string };
const templatePath = join(tmpdir(), `keysmith-test-pglite-${version}-initdb.tar`);

let template: Promise<Blob> | undefined;

/** The data directory of a freshly initialised cluster: read from the temp directory, or made and saved there. */
function initdbTemplate(): Promise<Blob> {
  template ??= (async () => {
    try {
      return new Blob([await readFile(templatePath)]);
    } catch {
      const db = new PGlite();
      await db.waitReady; // dumpDataDir before the boot has finished never settles
      const dump = await db.dumpDataDir('none');
      await db.close();
      // Written aside and renamed: parallel workers may race to make it, and a reader never sees half a file.
      const partial = `${templatePath}.${randomBytes(6).toString('hex')}`;
      await writeFile(partial, new Uint8Array(await dump.arrayBuffer()));
      await rename(partial, templatePath);
      return dump;
    }
  })();
  return template;
}

/** A new, empty in-memory PGlite, as `new PGlite(options)` gives, started from the initdb template. */
export async function freshPGlite(options: PGliteOptions = {}): Promise<PGlite> {
  const db = new PGlite({ ...options, loadDataDir: await initdbTemplate() });
  await db.waitReady;
  return db;
}

/**
 * Dedicated "connections" to one PGlite, for `postgresInvalidation({ connect })`. PGlite is a
 * single session, so each connection is a view of it that behaves as its own session would: LISTEN
 * and UNLISTEN are counted per channel (one view's UNLISTEN does not silence the others), a view
 * hears only the channels it LISTENs to, and `end()` detaches it. `drop()` fails every open view
 * as a lost connection does (an 'error', then refusing queries), so the channel must reconnect.
 */
export function pgliteSessions(db: PGlite) {
  const listening = new Map<string, number>();
  const open = new Set<{ fail(error: Error): void }>();
  const listenRe = /^(UN)?LISTEN "([A-Za-z0-9_]+)"$/;

  const connect = async (): Promise<PgListenClient> => {
    const channels = new Set<string>();
    const handlers = {
      notification: [] as ((m: { channel: string; payload?: string }) => void)[],
      error: [] as ((e: Error) => void)[],
      end: [] as (() => void)[],
    };
    let ended = false;
    const unlisten = async (channel: string) => {
      if (!channels.delete(channel)) return;
      const left = (listening.get(channel) ?? 1) - 1;
      listening.set(channel, left);
      if (left === 0) await db.query(`UNLISTEN "${channel}"`);
    };
    const stopHearing = db.onNotification((channel, payload) => {
      if (!ended && channels.has(channel)) for (const h of handlers.notification) h({ channel, payload });
    });
    const detach = async () => {
      ended = true;
      open.delete(session);
      stopHearing();
      for (const channel of [...channels]) await unlisten(channel);
    };
    const session = {
      fail(error: Error) {
        if (ended) return;
        void detach();
        for (const h of handlers.error) h(error);
      },
    };
    open.add(session);
    const client: PgListenClient = {
      async query(text: string, params?: unknown[]) {
        if (ended) throw new Error('Connection terminated');
        const listen = listenRe.exec(text);
        if (!listen) return db.query(text, params);
        const channel = listen[2]!;
        if (listen[1]) return unlisten(channel);
        if (channels.has(channel)) return;
        channels.add(channel);
        const before = listening.get(channel) ?? 0;
        listening.set(channel, before + 1);
        if (before === 0) await db.query(text);
      },
      on(event: 'notification' | 'error' | 'end', listener: never) {
        (handlers[event] as unknown[]).push(listener);
        return client;
      },
      async end() {
        if (ended) return;
        await detach();
        for (const h of handlers.end) h();
      },
    };
    return client;
  };

  return {
    connect,
    /** Fails every open view, as a server that drops its connections does. */
    drop(): void {
      for (const session of [...open]) session.fail(new Error('terminating connection due to administrator command'));
    },
  };
}
