import { PGlite } from '@electric-sql/pglite';
import { readFile } from 'node:fs/promises';
let t = performance.now();
const db = new PGlite();
await db.waitReady;
console.log('plain boot', Math.round(performance.now() - t));
await db.query('create table x(a int)');
t = performance.now();
const dump = await db.dumpDataDir('none');
console.log('dump', Math.round(performance.now() - t), dump.size);
t = performance.now();
const wasm = await WebAssembly.compile(await readFile('/work/main/node_modules/@electric-sql/pglite/dist/pglite.wasm'));
console.log('compile wasm', Math.round(performance.now() - t));
const fsBundle = new Blob([await readFile('/work/main/node_modules/@electric-sql/pglite/dist/pglite.data')]);
for (let i = 0; i < 3; i++) {
  t = performance.now();
  const d2 = new PGlite({ loadDataDir: dump, wasmModule: wasm, fsBundle });
  await d2.waitReady;
  console.log('boot from dump+module', Math.round(performance.now() - t), (await d2.query('select count(*) from x')).rows);
}
t = performance.now();
const d3 = new PGlite({ loadDataDir: dump });
await d3.waitReady;
console.log('boot from dump only', Math.round(performance.now() - t));
t = performance.now();
const d4 = new PGlite({ wasmModule: wasm, fsBundle });
await d4.waitReady;
console.log('boot with module, initdb', Math.round(performance.now() - t));
