/**
 * `npm run bench`: every figure in one run on this machine, printed as one table and written to
 * BENCHMARKS.md. Targets are shown as ✅/❌; no test asserts a time.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { machine } from './lib/machine.js';
import { consoleTable, machineLines, markdownTable, ratio } from './lib/report.js';
import type { Row } from './lib/rows.js';
import { SUITES } from './lib/suites.js';
import { isMet, verdict } from './lib/targets.js';

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

/** Runs one suite in a child process (bench/suite-process.ts) and returns its rows. */
function inOwnProcess(label: string): Promise<Row[]> {
  const script = resolve(import.meta.dirname, 'suite-process.ts');
  // process.execArgv carries tsx's loader; NODE_OPTIONS (the heap size) is inherited with the environment.
  // Structured clone, not JSON: a row's NaN or undefined arrives as it left.
  const child = fork(script, [label], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  return new Promise((resolveRows, reject) => {
    let answer: { type: 'rows'; rows: Row[] } | { type: 'error'; message: string } | null = null;
    child.on('message', (message: typeof answer) => {
      answer = message;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (answer?.type === 'rows') resolveRows(answer.rows);
      else reject(new Error(answer?.type === 'error' ? answer.message : `its process exited (${signal ?? code}) without rows`));
    });
  });
}

const started = performance.now();
const info = machine();
console.log(machineLines(info).join('\n'));
const rows: Row[] = [];
for (const [label] of SUITES) {
  const t0 = performance.now();
  process.stdout.write(`… ${label}`);
  try {
    rows.push(...(await inOwnProcess(label)));
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
