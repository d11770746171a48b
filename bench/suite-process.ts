/**
 * Runs one bench suite (by its label in bench/lib/suites.ts) in a process of its own and sends its
 * rows to the parent (bench/run.ts) over IPC. One process per suite, because a suite's figures
 * depended on which suites had run before it in a shared process: PostgreSQL's cold verify read
 * 1.26–1.53× a prepared raw lookup after the in-process and PGlite suites (what they left behind:
 * a larger heap, and verify's code shaped by other stores' records) against 1.13–1.18× on its own.
 * An application runs one store.
 */
import { SUITES } from './lib/suites.js';

const label = process.argv[2];
const suite = SUITES.find(([name]) => name === label)?.[1];
if (!suite || !process.send) {
  console.error(`bench/suite-process.ts: unknown suite ${JSON.stringify(label)}, or not started by bench/run.ts`);
  process.exit(2);
}
let message: { type: 'rows'; rows: unknown[] } | { type: 'error'; message: string };
try {
  message = { type: 'rows', rows: await suite() };
} catch (error) {
  message = { type: 'error', message: error instanceof Error ? error.message : String(error) };
}
// Some clients (pg pools, autocannon workers) may keep handles; the suite is over once its answer is sent.
process.send(message, () => process.exit(0));
