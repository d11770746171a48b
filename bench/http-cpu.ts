// What a guard costs per request in server CPU, the stable way: the server runs in its own process
// pinned to core 1 (taskset -c 1), autocannon runs here pinned to core 0, and the server reports
// its process.cpuUsage() before and after each run over IPC. Variants (plain, no-op, keysmith, the
// framework's own static bearer check) are alternated round by round; the table gives the median
// CPU µs per request and, per variant, the median of its per-round difference to the plain route
// of the same round, with the spread (min–max). req/s is shown next to it but is the noisier
// figure on a shared machine. Run: npx tsx bench/http-cpu.ts [--rounds 9] [--seconds 3] [--frameworks fastify,hono]
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import type { Ready } from './http-cpu-server.js';
import type { Row } from './lib/rows.js';
import { median, medianInterval } from './lib/stats.js';
import { verdict } from './lib/targets.js';

export interface HttpCpuOptions {
  /** Seconds per measured run of one variant. @default 3 */
  durationSec?: number;
  /** Rounds; each runs every variant once, in turn. @default 9 */
  rounds?: number;
  /** Concurrent connections: enough to keep the pinned server saturated. @default 32 */
  connections?: number;
  /** Only these frameworks' variants. @default all */
  frameworks?: Framework[];
}

const SECTION = 'HTTP guard cost (server pinned to core 1, autocannon on core 0; server CPU µs per request from process.cpuUsage)';

type Framework = 'express' | 'fastify' | 'hono';
interface Variant {
  id: string;
  framework: Framework;
  kind: 'plain' | 'noop' | 'keysmith' | 'peer';
  name: string;
  path: string;
}

const FRAMEWORKS: { id: Framework; name: string; peer: string | null }[] = [
  { id: 'express', name: 'Express 5', peer: null },
  { id: 'fastify', name: 'Fastify 5', peer: '@fastify/bearer-auth (static key, compared in memory)' },
  { id: 'hono', name: 'Hono (node-server)', peer: "Hono's bearerAuth (static key, compared in memory)" },
];

const VARIANTS: Variant[] = FRAMEWORKS.flatMap((f) => [
  { id: `http.${f.id}.plain`, framework: f.id, kind: 'plain' as const, name: `${f.name}: no middleware`, path: '/hello' },
  { id: `http.${f.id}.noop`, framework: f.id, kind: 'noop' as const, name: `${f.name}: a no-op middleware reading Authorization`, path: '/noop/hello' },
  { id: `http.${f.id}.keysmith`, framework: f.id, kind: 'keysmith' as const, name: `${f.name}: keysmith guard (key lookup + scope check)`, path: '/api/hello' },
  ...(f.id === 'hono'
    ? [
        {
          id: 'http.hono.wrapped',
          framework: f.id,
          kind: 'keysmith' as const,
          name: `${f.name}: keysmith withApiKey (the guard wrapping the handler: no middleware chain)`,
          path: '/wrapped/hello',
        },
      ]
    : []),
  ...(f.peer ? [{ id: `http.${f.id}.peer`, framework: f.id, kind: 'peer' as const, name: `${f.name}: ${f.peer}`, path: '/peer/hello' }] : []),
]);

/** Pins this process (every thread, and the autocannon worker started later) to `cpu`; false when taskset is missing. */
function pin(cpu: number): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Starts the server process, pinned to core 1 when taskset is there. */
/** The server's CPU time so far (µs). */
interface CpuTime {
  us: number;
  user: number;
  system: number;
}

async function startServer(pinned: boolean): Promise<{ child: ChildProcess; ready: Ready; ask: (type: string) => Promise<CpuTime> }> {
  const script = resolve(import.meta.dirname, 'http-cpu-server.ts');
  const node = [process.execPath, '--expose-gc', '--import', 'tsx', script];
  const child = pinned
    ? spawn('taskset', ['-c', '1', ...node], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    : spawn(node[0]!, node.slice(1), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<Ready>((resolveReady, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
    child.on('message', (m: { type: string }) => {
      if (m.type === 'ready') resolveReady(m as Ready);
    });
  });
  let next = 0;
  const ask = (type: string) =>
    new Promise<CpuTime>((resolveAsk) => {
      const id = next++;
      const onMessage = (m: { type: string; id?: number } & Partial<CpuTime>) => {
        if (m.id !== id) return;
        child.off('message', onMessage);
        resolveAsk({ us: m.us ?? 0, user: m.user ?? 0, system: m.system ?? 0 });
      };
      child.on('message', onMessage);
      child.send({ type, id });
    });
  return { child, ready, ask };
}

interface Sample {
  rps: number;
  cpuUsPerReq: number;
  /** The user-space part of `cpuUsPerReq`: the JavaScript (and V8) the route runs, without the kernel's socket work. */
  userUsPerReq: number;
  p50Ms: number;
  p99Ms: number;
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;

export async function httpCpuSuite(options: HttpCpuOptions = {}): Promise<Row[]> {
  const { durationSec = 3, rounds = 9, connections = 32 } = options;
  const variants = options.frameworks ? VARIANTS.filter((v) => options.frameworks!.includes(v.framework)) : VARIANTS;
  const pinned = pin(0);
  const { child, ready, ask } = await startServer(pinned);
  const headers = { authorization: `Bearer ${ready.token}` };
  const run = async (v: Variant, seconds: number): Promise<Sample> => {
    await ask('gc');
    const before = await ask('cpu');
    const result = await autocannon({ url: ready.urls[v.framework] + v.path, duration: seconds, connections, workers: 1, headers });
    const after = await ask('cpu');
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`bench: ${v.id} answered ${result.non2xx} non-2xx and ${result.errors} errors`);
    const requests = Math.max(1, result.requests.total);
    return {
      rps: result.requests.average,
      cpuUsPerReq: (after.us - before.us) / requests,
      userUsPerReq: (after.user - before.user) / requests,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
    };
  };
  const samples = new Map(variants.map((v) => [v.id, [] as Sample[]]));
  try {
    for (const v of variants) await run(v, 1); // warm-up: JIT, caches
    for (let round = 0; round < rounds; round++) {
      // Alternate the order too, so a variant is not always measured right after the same one.
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const v of order) samples.get(v.id)!.push(await run(v, durationSec));
    }
  } finally {
    child.send({ type: 'exit' });
  }

  const rows: Row[] = [];
  const added = new Map<string, number>();
  const addedInterval = new Map<string, { low: number; high: number }>();
  for (const v of variants) {
    const s = samples.get(v.id)!;
    const plain = samples.get(`http.${v.framework}.plain`)!;
    const cpu = median(s.map((x) => x.cpuUsPerReq));
    const row: Row = {
      id: v.id,
      section: SECTION,
      name: v.name,
      opsPerSec: median(s.map((x) => x.rps)),
      p50Us: median(s.map((x) => x.p50Ms)) * 1000,
      p99Us: median(s.map((x) => x.p99Ms)) * 1000,
    };
    if (v.kind === 'plain') {
      const spread = s.map((x) => x.cpuUsPerReq);
      row.note = `${cpu.toFixed(1)} µs server CPU/request (rounds ${Math.min(...spread).toFixed(1)}–${Math.max(...spread).toFixed(1)})`;
    } else {
      const diffs = s.map((x, i) => x.cpuUsPerReq - plain[i]!.cpuUsPerReq);
      const d = median(diffs);
      added.set(v.id, d);
      addedInterval.set(v.id, medianInterval(diffs));
      const userDiff = median(s.map((x, i) => x.userUsPerReq - plain[i]!.userUsPerReq));
      row.note = `+${d.toFixed(1)} µs server CPU/request over no middleware (rounds ${Math.min(...diffs).toFixed(1)} to ${Math.max(...diffs).toFixed(1)}; user space +${userDiff.toFixed(1)} µs); ${cpu.toFixed(1)} µs in all`;
      if (v.kind === 'keysmith') {
        // What keysmith adds beyond the framework's own price of running any middleware at all.
        const noop = samples.get(`http.${v.framework}.noop`)!;
        const overNoop = median(s.map((x, i) => x.cpuUsPerReq - noop[i]!.cpuUsPerReq));
        row.note += `; +${overNoop.toFixed(1)} µs over the no-op middleware`;
      }
    }
    rows.push(row);
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const v of variants.filter((x) => x.kind === 'keysmith')) {
    const ks = byId.get(v.id)!;
    const d = added.get(ks.id)!;
    const ci = addedInterval.get(ks.id)!;
    const bound = v.framework === 'express' ? 5 : 3;
    const targets = [
      verdict(d <= bound, `guard adds ≤ ${bound} µs server CPU/request (+${d.toFixed(1)} µs; 95% interval ${signed(ci.low)} to ${signed(ci.high)} µs)`),
    ];
    const peer = byId.get(`http.${v.framework}.peer`);
    if (peer) {
      // Paired like the CPU figures: the rounds of the two variants ran next to each other.
      const ratios = samples.get(v.id)!.map((x, i) => x.rps / samples.get(peer.id)![i]!.rps);
      const share = median(ratios);
      const shareCi = medianInterval(ratios);
      const cpuVsPeer = d - added.get(peer.id)!;
      targets.push(
        verdict(
          share >= 1,
          `≥ 100% of the peer's req/s (${Math.round(share * 100)}%, 95% interval ${Math.round(shareCi.low * 100)}–${Math.round(shareCi.high * 100)}%; CPU ${signed(cpuVsPeer)} µs vs the peer)`,
        ),
      );
    }
    ks.target = targets.join('; ');
  }
  if (!pinned) for (const r of rows) r.note = `${r.note ?? ''}; not pinned (taskset missing)`;
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? undefined : Number(process.argv[i + 1]);
  };
  const only = process.argv.indexOf('--frameworks');
  const frameworks = only === -1 ? undefined : (process.argv[only + 1]!.split(',') as Framework[]);
  const rows = await httpCpuSuite({ rounds: arg('--rounds'), durationSec: arg('--seconds'), frameworks });
  for (const r of rows) console.log(`${r.name.padEnd(70)} ${String(Math.round(r.opsPerSec ?? 0)).padStart(7)} req/s  ${r.note ?? ''}  ${r.target ?? ''}`);
  process.exit(0);
}
