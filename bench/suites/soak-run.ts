import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { drawRequest, judge, MIX, type Category, type Population, type PopulationSizes, type Sent } from './soak-keys.js';
import type { ServerConfig } from './soak-server.js';

/**
 * One framework's soak: a fixed number of mixed requests over 127.0.0.1 (autocannon in this
 * process, the server in a child process: one core each), keys revoked through the admin API
 * while it runs, every answer judged against the key's state at that moment, and the server's
 * heap sampled throughout.
 */

export interface SoakOptions {
  /** Requests per framework. @default 200_000 */
  requests?: number;
  /** The run stops here even if `requests` were not all sent (a slow or busy machine). @default 60 */
  maxSeconds?: number;
  /** Concurrent keep-alive connections. @default 50 */
  connections?: number;
  sizes?: PopulationSizes;
  /** Verified-record cache and limiter caps, set below the number of keys so both stay full and evict. */
  cacheMax?: number;
  limiterCounters?: number;
}

interface HeapSummary {
  /** MiB: median of the 2nd and of the 4th quarter of the samples, and the highest sample. */
  q2: number;
  q4: number;
  max: number;
  samples: number;
  /** The last quarter's median within 1.5× (plus 16 MiB) of the second's: no growth with traffic. */
  bounded: boolean;
}

export interface SoakResult {
  framework: string;
  requests: number;
  seconds: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  byCategory: Record<Category, number>;
  wrong: number;
  /** Requests to a key whose revoke was in flight (either answer is right). */
  either: number;
  /** Revoked keys accepted for a request sent after their revoke returned (must be 0). */
  acceptedAfterRevoke: number;
  examples: string[];
  /** Connection errors and timeouts seen by the load client (must be 0). */
  transportErrors: number;
  revocations: number;
  revokeFailures: number;
  heap: HeapSummary;
  limiterSize: number;
  limiterCap: number;
}

const MiB = 1024 * 1024;
const median = (xs: number[]) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);

function summarizeHeap(samples: number[]): HeapSummary {
  const q = Math.floor(samples.length / 4);
  const q2 = median(samples.slice(q, 2 * q)) / MiB;
  const q4 = median(samples.slice(3 * q)) / MiB;
  return { q2, q4, max: Math.max(...samples) / MiB, samples: samples.length, bounded: q4 <= q2 * 1.5 + 16 };
}

/** Starts the server process; resolves with its URL and its keys. */
function startServer(config: ServerConfig): Promise<{ child: ChildProcess; url: string; population: Population }> {
  // The child runs TypeScript: under tsx (npm run bench) it inherits tsx's loader; elsewhere
  // (the smoke test under vitest) it gets one.
  const execArgv = process.execArgv.some((a) => a.includes('tsx')) ? process.execArgv : ['--import', 'tsx'];
  const child = fork(resolve(import.meta.dirname, 'soak-server.ts'), [JSON.stringify(config)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((ok, fail) => {
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`soak server exited (${code}) before it was ready`)));
    child.once('message', (m) => ok({ child, ...(m as { url: string; population: Population }) }));
  });
}

function stopServer(child: ChildProcess): Promise<{ heap: number[]; limiterSize: number }> {
  return new Promise((ok, fail) => {
    child.removeAllListeners('exit');
    child.once('exit', (code) => fail(new Error(`soak server exited (${code}) without its report`)));
    child.once('message', (m) => ok(m as { heap: number[]; limiterSize: number }));
    child.send('stop');
  });
}

export async function soakOne(framework: string, options: SoakOptions = {}): Promise<SoakResult> {
  const total = options.requests ?? 200_000;
  const limiterCap = options.limiterCounters ?? 500;
  const {
    child,
    url,
    population: pop,
  } = await startServer({
    framework,
    sizes: options.sizes ?? { valid: 2_000, revoked: 200, expired: 200, revoking: 400 },
    cacheMax: options.cacheMax ?? 1_000,
    limiterCounters: limiterCap,
  });

  const byCategory = Object.fromEntries(MIX.map(([c]) => [c, 0])) as Record<Category, number>;
  let wrong = 0;
  let either = 0;
  let acceptedAfterRevoke = 0;
  let responses = 0;
  let revokeFailures = 0;
  const examples: string[] = [];
  const inFlight = new Set<Promise<void>>();

  // Revocations are paced by progress: from 10% to 80% of the run, where progress is the larger of
  // requests answered and time used, so a run cut short by maxSeconds still revokes every key.
  const capMs = (options.maxSeconds ?? 60) * 1000;
  let started = performance.now();
  const progress = () => Math.max(responses / total, (performance.now() - started) / capMs);
  let revoked = 0;
  const revokeNext = () => {
    const key = pop.revoking[revoked++]!;
    key.revokeSentAt = performance.now();
    const done = fetch(`${url}/admin/keys/${key.id}`, { method: 'DELETE', headers: { 'x-actor': 'ops' } }).then(
      async (res) => {
        await res.arrayBuffer();
        if (res.status === 204) key.revokeDoneAt = performance.now();
        else revokeFailures++;
      },
      () => void revokeFailures++,
    );
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };

  const setupRequest = (request: autocannon.Request, context: object): autocannon.Request => {
    const sent = drawRequest(pop, 'sk_soak');
    (context as { sent?: Sent }).sent = sent;
    return { ...request, method: 'GET', path: sent.path, headers: { authorization: `Bearer ${sent.token}` } };
  };
  const onResponse = (status: number, body: string, context: object) => {
    const sent = (context as { sent: Sent }).sent;
    const verdict = judge(sent, status, body, performance.now());
    byCategory[sent.category]++;
    if (verdict === 'either') either++;
    if (verdict === 'wrong') {
      wrong++;
      if (sent.category === 'revoking' && status === 200) acceptedAfterRevoke++;
      if (examples.length < 10) examples.push(`${sent.category} ${sent.path} → ${status} ${body.slice(0, 120)}`);
    }
    responses++;
    if (revoked < pop.revoking.length && progress() >= 0.1 + (0.7 * revoked) / pop.revoking.length) revokeNext();
  };

  started = performance.now();
  let result: autocannon.Result;
  let server: { heap: number[]; limiterSize: number };
  try {
    result = await new Promise<autocannon.Result>((ok, fail) => {
      const instance = autocannon(
        {
          url,
          connections: options.connections ?? 50,
          amount: total,
          pipelining: 1,
          timeout: 10,
          // One request template per connection: its context then always belongs to its own request.
          setupClient: (client) => client.setRequests([{ method: 'GET', path: '/docs', setupRequest, onResponse }]),
        },
        (error, r) => {
          clearTimeout(cap);
          if (error) fail(error);
          else ok(r);
        },
      );
      const cap = setTimeout(() => instance.stop(), capMs);
    });
  } finally {
    await Promise.all([...inFlight]);
    server = await stopServer(child).catch((error: unknown) => {
      child.kill();
      throw error;
    });
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    framework,
    requests: responses,
    seconds,
    reqPerSec: responses / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    byCategory,
    wrong,
    either,
    acceptedAfterRevoke,
    examples,
    transportErrors: result.errors + result.timeouts,
    revocations: pop.revoking.filter((k) => k.revokeDoneAt !== undefined).length,
    revokeFailures,
    heap: summarizeHeap(server.heap),
    limiterSize: server.limiterSize,
    limiterCap,
  };
}
