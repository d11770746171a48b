/**
 * `npx tsx bench/soak.ts [requests] [maxSeconds] [express,fastify,hono]`: the soak over Express, Fastify and Hono, printed
 * as one Markdown table. Exits 1 when any answer was wrong, a revoked key got through, a connection
 * failed or the heap grew with traffic. bench/run.ts can include it through `soakSuite` (bench/suites/soak.ts).
 */
import { pathToFileURL } from 'node:url';
import { machine } from './lib/machine.js';
import { machineLines } from './lib/report.js';
import { soakMarkdown, soakPassed, soakResults } from './suites/soak.js';

export { soakSuite, soakResults, soakMarkdown, soakRows, soakPassed } from './suites/soak.js';

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 200_000);
  const maxSeconds = Number(process.argv[3] ?? 60);
  const frameworks = process.argv[4]?.split(',');
  console.log(machineLines(machine()).join('\n'));
  console.log(`Soak: ${requests.toLocaleString('en-US')} requests per framework (at most ${maxSeconds} s each)\n`);
  const results = await soakResults({ requests, maxSeconds, frameworks }, (line) => console.log(`… ${line}`));
  console.log(`\n${soakMarkdown(results)}`);
  process.exit(results.every(soakPassed) ? 0 : 1);
}

// Run only when started directly, so importing this file (for soakSuite) runs nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
