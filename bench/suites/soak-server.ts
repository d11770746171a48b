/**
 * The soak's server process (forked by soak-run.ts, so the load client has the other core): one
 * framework's app over a fresh keyring and memory store, its keys minted, its heap sampled every
 * 100 ms. Messages: → `{ type: 'ready', url, population }`; on `'stop'` → `{ type: 'done', heap, limiterSize }`.
 */
import { createKeyring, memoryLimiter } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { SOAK_FRAMEWORKS } from './soak-apps.js';
import { mintPopulation, type PopulationSizes } from './soak-keys.js';

export interface ServerConfig {
  framework: string;
  sizes: PopulationSizes;
  cacheMax: number;
  limiterCounters: number;
}

const config = JSON.parse(process.argv[2]!) as ServerConfig;
const framework = SOAK_FRAMEWORKS.find((f) => f.name === config.framework)!;
const limiter = memoryLimiter({ maxCounters: config.limiterCounters });
let offset = 0;
const keyring = createKeyring({
  store: memoryStore(),
  prefix: 'sk_soak',
  scopes: ['docs:read', 'docs:write'],
  // Both caps are below the number of keys in use, so the cache and the limiter stay full and evict.
  cache: { ttlMs: 10_000, max: config.cacheMax },
  limiter,
  clock: () => Date.now() + offset,
});
const population = await mintPopulation(keyring, config.sizes, (ms) => {
  offset += ms;
});
const app = await framework.start(keyring);

const heap: number[] = [];
const sampler = setInterval(() => heap.push(process.memoryUsage().heapUsed), 100);

process.on('message', async (message) => {
  if (message !== 'stop') return;
  clearInterval(sampler);
  await app.close();
  process.send!({ type: 'done', heap, limiterSize: limiter.size }, () => process.exit(0));
});
process.send!({ type: 'ready', url: app.url, population });
