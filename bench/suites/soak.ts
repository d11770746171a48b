import type { Row } from '../lib/rows.js';
import { verdict } from '../lib/targets.js';
import { SOAK_FRAMEWORKS } from './soak-apps.js';
import { MIX } from './soak-keys.js';
import { soakOne, type SoakOptions, type SoakResult } from './soak-run.js';

/**
 * The soak over every framework, as rows for bench/run.ts's table (`soakSuite`) and as its own
 * Markdown table (`soakMarkdown`). Run alone with `npx tsx bench/soak.ts`.
 */

const SOAK_SECTION = 'Soak: mixed requests over HTTP, keys revoked during the run (autocannon, 50 connections, 127.0.0.1)';
const TARGET_REQUESTS = 200_000;

export async function soakResults(options: SoakOptions & { frameworks?: string[] } = {}, log: (line: string) => void = () => {}): Promise<SoakResult[]> {
  const results: SoakResult[] = [];
  for (const { name } of SOAK_FRAMEWORKS.filter((f) => !options.frameworks || options.frameworks.includes(f.name))) {
    const r = await soakOne(name, options);
    log(`${name}: ${r.requests} requests in ${r.seconds.toFixed(1)} s, ${r.wrong} wrong`);
    results.push(r);
  }
  return results;
}

/** Every answer right, no connection error, no revoked key accepted after its revoke returned, heap flat. */
export const soakPassed = (r: SoakResult) =>
  r.wrong === 0 && r.transportErrors === 0 && r.acceptedAfterRevoke === 0 && r.revokeFailures === 0 && r.heap.bounded;

const mib = (n: number) => `${n.toFixed(0)} MiB`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function soakRows(results: SoakResult[], target = TARGET_REQUESTS): Row[] {
  return results.map((r) => ({
    id: `soak.${r.framework}`,
    section: SOAK_SECTION,
    name: `${r.framework}: ${int(r.requests)} requests`,
    opsPerSec: r.reqPerSec,
    p50Us: r.p50Ms * 1000,
    p99Us: r.p99Ms * 1000,
    target: [
      verdict(soakPassed(r), `0 wrong answers, heap bounded (${r.wrong} wrong)`),
      verdict(r.requests >= target, `≥ ${int(target)} requests (${int(r.requests)} in ${r.seconds.toFixed(0)} s)`),
    ].join('; '),
    note: [
      `${r.revocations} keys revoked during the run, ${r.acceptedAfterRevoke} accepted after their revoke returned, ${r.either} answers during a revoke in flight`,
      `heap ${mib(r.heap.q2)} → ${mib(r.heap.q4)} (2nd → 4th quarter medians, max ${mib(r.heap.max)})`,
      `limiter ${r.limiterSize}/${r.limiterCap} counters`,
      `${r.transportErrors} connection errors`,
    ].join('; '),
  }));
}

export async function soakSuite(options: SoakOptions = {}): Promise<Row[]> {
  return soakRows(await soakResults(options), options.requests ?? TARGET_REQUESTS);
}

/** The soak's own table: one row per framework, then the request mix. */
export function soakMarkdown(results: SoakResult[]): string {
  const head = [
    'Framework',
    'Requests',
    'Time',
    'req/s',
    'p50',
    'p99',
    'Wrong answers',
    'Revoked during run',
    'Accepted after revoke',
    'Answers during a revoke in flight',
    'Heap (2nd → 4th quarter, max)',
    'Limiter counters',
    'Connection errors',
    'Result',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 || i === head.length - 1 ? '---' : '---:')).join('|')}|`];
  for (const r of results) {
    lines.push(
      `| ${[
        r.framework,
        int(r.requests),
        `${r.seconds.toFixed(1)} s`,
        int(r.reqPerSec),
        `${r.p50Ms} ms`,
        `${r.p99Ms} ms`,
        int(r.wrong),
        int(r.revocations),
        int(r.acceptedAfterRevoke),
        int(r.either),
        `${mib(r.heap.q2)} → ${mib(r.heap.q4)}, max ${mib(r.heap.max)}`,
        `${r.limiterSize} / ${r.limiterCap}`,
        int(r.transportErrors),
        soakPassed(r) ? '✅' : '❌',
      ].join(' | ')} |`,
    );
  }
  const total = results.reduce((n, r) => n + r.requests, 0);
  const mix = MIX.map(([c]) => `${c} ${int(results.reduce((n, r) => n + r.byCategory[c], 0))}`).join(', ');
  lines.push('', `${int(total)} requests in all. By kind: ${mix}.`);
  const examples = results.flatMap((r) => r.examples.map((e) => `${r.framework}: ${e}`));
  if (examples.length > 0) lines.push('', 'First wrong answers:', ...examples.map((e) => `- \`${e}\``));
  return lines.join('\n');
}
