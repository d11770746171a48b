import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

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

/** A new, empty in-memory PGlite, as `new PGlite()` gives, started from the initdb template. */
export async function freshPGlite(): Promise<PGlite> {
  const db = new PGlite({ loadDataDir: await initdbTemplate() });
  await db.waitReady;
  return db;
}
