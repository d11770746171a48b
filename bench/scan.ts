// Secret-scan throughput on its own: `npm run bench:scan` (after `npm run build`), or
// `npx tsx bench/scan.ts 50` for a 50 MB tree. `npm run bench` runs the same suite in the full table.
import { consoleTable } from './lib/report.js';
import { scanSuite } from './suites/scan.js';

const megabytes = Number(process.argv[2] ?? 200);
console.log(consoleTable(await scanSuite({ megabytes })));
