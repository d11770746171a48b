/**
 * Timing helpers. Throughput and latency are measured in separate passes: timing every call
 * costs tens of nanoseconds, which would bias the throughput of microsecond operations.
 * Throughput is the median of several rounds, so one noisy round (GC, the other core busy) does
 * not decide the figure.
 */

export interface Measurement {
  /** Median operations per second over the rounds. */
  opsPerSec: number;
  /** Median and 99th-percentile latency of one call, in microseconds. */
  p50Us: number;
  p99Us: number;
  /** Calls made in the throughput rounds. */
  calls: number;
  /** Throughput of each round, in order (rounds of one group line up in time). */
  rates?: number[];
  /**
   * Which measureGroup call measured it: only rounds of the same group are paired. Named by process
   * too, as every suite runs in a process of its own and counts its groups from 1.
   */
  group?: string;
}

let groups = 0;

/**
 * How many times faster `a` is than `b`. For two cases of one group, the median of the per-round
 * ratios: rounds next to each other in time share the machine's state, so this is the steadier figure.
 */
export function speedRatio(a: Measurement, b: Measurement): number {
  const paired = pairedRatios(a, b);
  return paired ? median(paired) : a.opsPerSec / b.opsPerSec;
}

/** The per-round ratios of two cases of one group, or null when they were not measured together. */
function pairedRatios(a: Measurement, b: Measurement): number[] | null {
  if (a.group !== undefined && a.group === b.group && a.rates && b.rates && a.rates.length === b.rates.length && a.rates.length > 0)
    return a.rates.map((r, i) => r / b.rates![i]!);
  return null;
}

/**
 * The 95% confidence interval of `speedRatio(a, b)` (see `medianInterval`), or null when the two
 * cases were not measured in one group. Shown next to a target, it says whether this run could tell.
 */
export function speedRatioInterval(a: Measurement, b: Measurement): { low: number; high: number } | null {
  const paired = pairedRatios(a, b);
  return paired ? medianInterval(paired) : null;
}

export interface MeasureOptions {
  /** Length of one throughput round. @default 300 */
  roundMs?: number;
  /** @default 5 */
  rounds?: number;
  /** Unmeasured calls first, so the JIT has settled. @default 200 ms */
  warmupMs?: number;
  /** Time budget of the latency pass (at most `latencySamples` calls). @default 300 */
  latencyMs?: number;
  /** @default 50_000 */
  latencySamples?: number;
}

import { setFlagsFromString } from 'node:v8';
import { median, medianInterval } from './stats.js';
import { runInNewContext } from 'node:vm';

const now = () => performance.now();

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * A full collection before measuring, so garbage left by the setup (a million seeded records) is
 * not collected on the measured cases' time.
 */
function collectGarbage(): void {
  gc();
}
/** Keeps results alive so the JIT cannot drop the measured work. */
// biome-ignore lint/correctness/noUnusedVariables: written on every measured call and never read, on purpose
let sink: unknown;

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function finish(rates: number[], latencies: number[], calls: number): Measurement {
  const sorted = Float64Array.from(latencies).sort();
  return { opsPerSec: median(rates), p50Us: percentile(sorted, 50) * 1000, p99Us: percentile(sorted, 99) * 1000, calls };
}

/** Measures a synchronous function (checks the clock every 256 calls). */
function measureSync(fn: () => unknown, options: MeasureOptions = {}): Measurement {
  const { roundMs = 300, rounds = 5, warmupMs = 200, latencyMs = 300, latencySamples = 50_000 } = options;
  const until = (ms: number) => {
    let n = 0;
    const start = now();
    let t = start;
    while (t - start < ms) {
      for (let i = 0; i < 256; i++) sink = fn();
      n += 256;
      t = now();
    }
    return (n / (t - start)) * 1000;
  };
  until(warmupMs);
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) rates.push(until(roundMs));
  const latencies: number[] = [];
  const start = now();
  while (latencies.length < latencySamples && now() - start < latencyMs) {
    const t0 = now();
    sink = fn();
    latencies.push(now() - t0);
  }
  return finish(rates, latencies, Math.round((median(rates) * roundMs * rounds) / 1000));
}

/** Measures an async function, one call at a time (each awaited before the next starts). */
async function measureAsync(fn: () => Promise<unknown>, options: MeasureOptions = {}): Promise<Measurement> {
  const { roundMs = 300, rounds = 5, warmupMs = 200, latencyMs = 300, latencySamples = 50_000 } = options;
  let calls = 0;
  const until = async (ms: number) => {
    let n = 0;
    const start = now();
    let t = start;
    while (t - start < ms) {
      for (let i = 0; i < 16; i++) sink = await fn();
      n += 16;
      t = now();
    }
    return (n / (t - start)) * 1000;
  };
  await until(warmupMs);
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const rate = await until(roundMs);
    rates.push(rate);
    calls += Math.round((rate * roundMs) / 1000);
  }
  const latencies: number[] = [];
  const start = now();
  while (latencies.length < latencySamples && now() - start < latencyMs) {
    const t0 = now();
    sink = await fn();
    latencies.push(now() - t0);
  }
  return finish(rates, latencies, calls);
}

export interface Case {
  name: string;
  fn: () => unknown;
  /** Await each call (the function returns a promise). */
  async?: boolean;
}

/**
 * Measures several cases with their rounds interleaved, so a noisy spell on this shared machine
 * hits every case alike and the ratios between them stay meaningful. Every other round runs the
 * cases in reverse (a1 b1 c1 c2 b2 a2 a3 …): in a fixed order, a case always ran right after the
 * same neighbour and paid for its garbage and cooled caches, a bias the paired ratios kept.
 */
export async function measureGroup(cases: Case[], options: MeasureOptions = {}): Promise<Record<string, Measurement>> {
  const { roundMs = 300, rounds = 5, warmupMs = 200, latencyMs = 300, latencySamples = 50_000 } = options;
  const one: MeasureOptions = { roundMs, rounds: 1, warmupMs: 0, latencyMs: 0, latencySamples: 0 };
  collectGarbage();
  const group = `${process.pid}.${++groups}`;
  const run = (c: Case, o: MeasureOptions) => (c.async ? measureAsync(c.fn as () => Promise<unknown>, o) : Promise.resolve(measureSync(c.fn, o)));
  for (const c of cases) await run(c, { ...one, roundMs: warmupMs });
  const rates = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of r % 2 === 0 ? cases : [...cases].reverse()) rates.get(c.name)!.push((await run(c, one)).opsPerSec);
  }
  // Latency samples are interleaved too, in slices.
  const slices = 4;
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let k = 0; k < slices; k++) {
    for (const c of cases) {
      const into = samples.get(c.name)!;
      const start = now();
      while (into.length < ((k + 1) * latencySamples) / slices && now() - start < latencyMs / slices) {
        const t0 = now();
        sink = c.async ? await (c.fn() as Promise<unknown>) : c.fn();
        into.push(now() - t0);
      }
    }
  }
  const out: Record<string, Measurement> = {};
  for (const c of cases) {
    const r = rates.get(c.name)!;
    const lat = finish([], samples.get(c.name)!, 0);
    out[c.name] = { opsPerSec: median(r), p50Us: lat.p50Us, p99Us: lat.p99Us, calls: Math.round((median(r) * roundMs * rounds) / 1000), rates: r, group };
  }
  return out;
}
