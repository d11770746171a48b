/**
 * `npm run bench`: every figure in one run on this machine, printed as one table and written to
 * BENCHMARKS.md. Targets are shown as ✅/❌; no test asserts a time.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { machine } from './lib/machine.js';
import { consoleTable, machineLines, markdownTable, ratio } from './lib/report.js';
import type { Row } from './lib/rows.js';
import { isMet, verdict } from './lib/targets.js';
import { activeKeysSuite } from './suites/active-keys.js';
import { createSuite } from './suites/create.js';
import { httpSuite, mcpSuite } from './suites/external.js';
import { idProbingPgliteSuite, idProbingPostgresSuite } from './suites/id-probing.js';
import { invalidationSuite } from './suites/invalidation.js';
import { limiterSuite } from './suites/limiter.js';
import { pgliteSuite, postgresSuite } from './suites/postgres.js';
import { scaleSuite } from './suites/scale.js';
import { scanSuite } from './suites/scan.js';
import { soakSuite } from './suites/soak.js';
import { touchSuite } from './suites/touch.js';
import { verifyMemorySuite } from './suites/verify-memory.js';

const SUITES: [string, () => Promise<Row[]>][] = [
  ['verify, in process', verifyMemorySuite],
  ['PGlite', pgliteSuite],
  ['PostgreSQL server', postgresSuite],
  ['probing ids by timing (PGlite)', idProbingPgliteSuite],
  ['probing ids by timing (PostgreSQL)', idProbingPostgresSuite],
  ['create', createSuite],
  ['stored keys', scaleSuite],
  ['active keys', activeKeysSuite],
  ['rate limits', limiterSuite],
  ['lastUsedAt writes', touchSuite],
  ['revocation propagation', invalidationSuite],
  ['HTTP overhead', httpSuite],
  ['MCP round trip', mcpSuite],
  ['secret scan (200 MB)', () => scanSuite()],
  ['soak', () => soakSuite({ requests: 200_000, maxSeconds: 60 })],
];

/** The in-process targets need rows of one suite against another's, so they are judged here. */
function judgeInProcess(rows: Row[]): void {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const warm = byId.get('mem.warm');
  if (!warm) return;
  const ofFloor = ratio(warm, byId.get('floor'));
  const ofBa = ratio(warm, byId.get('ba.verify'));
  if (ofFloor === null || ofBa === null) return;
  const ofAsync = ratio(warm, byId.get('floor.async'));
  const asyncNote = ofAsync === null ? '' : `, ${Math.round(ofAsync * 100)}% of the async floor`;
  warm.target = [
    verdict(ofFloor >= 0.5, `≥ 50% of floor (${Math.round(ofFloor * 100)}%${asyncNote})`),
    verdict(ofBa >= 40, `≥ 40× better-auth (${Math.round(ofBa)}×)`),
  ].join('; ');
}

const started = performance.now();
const info = machine();
console.log(machineLines(info).join('\n'));
const rows: Row[] = [];
for (const [label, suite] of SUITES) {
  const t0 = performance.now();
  process.stdout.write(`… ${label}`);
  try {
    rows.push(...(await suite()));
  } catch (error) {
    rows.push({
      id: `failed.${label}`,
      section: label,
      name: `${label}: suite failed`,
      note: `failed: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  process.stdout.write(` (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
}
judgeInProcess(rows);

const targets = rows.flatMap((r) => (r.target ? r.target.split(/; (?=[✅❌])/u).map((t) => ({ row: r, t })) : []));
const met = targets.filter(({ t }) => isMet(t)).length;
const summary = [`Targets: ${met} of ${targets.length} met`, ...targets.map(({ row, t }) => `  ${t} — ${row.section}: ${row.name}`)];
const seconds = (performance.now() - started) / 1000;

console.log(`\n${consoleTable(rows)}\n\n${summary.join('\n')}\n\nTotal ${seconds.toFixed(0)} s. Written to BENCHMARKS.md.`);

const { header, howToRead } = await import('./lib/benchmarks-md.js');
const markdown = [
  header(info, seconds),
  markdownTable(rows),
  '',
  `## Targets: ${met} of ${targets.length} met`,
  '',
  ...targets.map(({ row, t }) => `- ${t} — ${row.section}: ${row.name}`),
  '',
  howToRead,
].join('\n');
writeFileSync(resolve(import.meta.dirname, '..', 'BENCHMARKS.md'), markdown);
// Some clients (pg pools of other suites, autocannon workers) may keep handles; the run is over.
process.exit(0);
