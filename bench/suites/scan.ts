/**
 * Secret-scan throughput: the built `keysmith scan` over a generated tree (default 200 MB of
 * source-like text in 100 KB files, with real tokens and same-shape decoys), next to
 * `grep -rE` with the same token pattern. Both read the same files from a warm page cache; rounds
 * alternate and the median is reported. keysmith also confirms each candidate's checksum and
 * reports line and column; grep only matches lines (decoys included).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createKeyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import type { Row } from '../lib/rows.js';

const SECTION = 'secret scan (keysmith scan, built binary, vs grep -rE; page cache warm)';
const CLI = resolve(import.meta.dirname, '../../dist/cli.js');
/** The scanner's candidate shape, in POSIX ERE (grep has no lookaround). */
const ERE = '[A-Za-z0-9]+(_[A-Za-z0-9]+)*_[0-9A-Za-z]{16}_[0-9A-Za-z]{38}';

export interface ScanBenchOptions {
  /** Size of the generated tree. @default 200 */
  megabytes?: number;
  /** Measured rounds (each runs both tools). @default 3 */
  rounds?: number;
}

/** A deterministic pseudo-random generator (mulberry32), so every run scans the same bytes. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['const', 'return', 'await', 'function', 'import', 'export', 'if', 'else', 'key', 'token', 'value', 'config', 'user_id', 'api_key', 'tenant'];

/** Writes the tree: `files` files of `fileBytes` each, with `tokens` real tokens and as many decoys spread through them. */
async function generate(dir: string, megabytes: number): Promise<{ files: number; bytes: number; tokens: number }> {
  const fileBytes = 100_000;
  const files = Math.ceil((megabytes * 1e6) / fileBytes);
  const keyring = createKeyring({ store: memoryStore(), prefix: 'sk_live' });
  const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => keyring.create({ tenantId: 't', name: `k${i}` }).then((m) => m.token)));
  const rnd = random(42);
  const line = () => {
    let s = '  ';
    while (s.length < 70) s += `${WORDS[Math.floor(rnd() * WORDS.length)]}${rnd() < 0.3 ? '_' : ' '}${Math.floor(rnd() * 1e6).toString(36)} `;
    return `${s}\n`;
  };
  let bytes = 0;
  for (let f = 0; f < files; f++) {
    const sub = join(dir, `pkg${f % 20}`, `mod${Math.floor(f / 20) % 10}`);
    mkdirSync(sub, { recursive: true });
    let text = '';
    while (text.length < fileBytes) text += line();
    if (f % Math.ceil(files / tokens.length) === 0) {
      const token = tokens[(f / Math.ceil(files / tokens.length)) % tokens.length]!;
      const decoy = `${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`;
      text = `${text.slice(0, fileBytes / 2)}API_KEY=${token}\nOLD_KEY=${decoy}\n${text.slice(fileBytes / 2)}`;
    }
    writeFileSync(join(sub, `file${f}.ts`), text);
    bytes += text.length;
  }
  return { files, bytes, tokens: tokens.length };
}

function time(command: string, args: string[]): { seconds: number; stdout: string } {
  const started = process.hrtime.bigint();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // keysmith scan and grep both exit 1 on "not found"/"found"; 2 is an error for both.
  if (r.status === null || r.status > 1) throw new Error(`${command} failed (${r.status}): ${r.stderr?.slice(0, 200)}`);
  return { seconds, stdout: r.stdout };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The two rows: keysmith scan and grep -rE, each with MB/s in the note. */
export async function scanSuite(options: ScanBenchOptions = {}): Promise<Row[]> {
  const { megabytes = 200, rounds = 3 } = options;
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run npm run build first');
  const dir = mkdtempSync(join(tmpdir(), 'keysmith-bench-scan-'));
  try {
    const tree = await generate(dir, megabytes);
    const keysmith = () => time(process.execPath, [CLI, 'scan', dir, '--format', 'json']);
    const grep = () => time('grep', ['-rE', ERE, dir]);
    keysmith(); // warm the page cache and both programs once
    grep();
    const ks: number[] = [];
    const gr: number[] = [];
    let found = 0;
    let grepLines = 0;
    for (let i = 0; i < rounds; i++) {
      const a = keysmith();
      found = JSON.parse(a.stdout).findings.length;
      ks.push(a.seconds);
      const b = grep();
      grepLines = b.stdout.split('\n').filter(Boolean).length;
      gr.push(b.seconds);
    }
    const mb = tree.bytes / 1e6;
    const grepVersion = execFileSync('grep', ['--version'], { encoding: 'utf8' }).split('\n')[0];
    const size = `${mb.toFixed(0)} MB in ${tree.files.toLocaleString('en-US')} files`;
    return [
      {
        id: 'scan.keysmith',
        section: SECTION,
        name: 'keysmith scan (checksum-confirmed, line and column)',
        note: `${(mb / median(ks)).toFixed(0)} MB/s (${median(ks).toFixed(2)} s for ${size}; ${found} tokens found, ${tree.tokens} decoys rejected; median of ${rounds})`,
      },
      {
        id: 'scan.grep',
        section: SECTION,
        name: `grep -rE, same pattern (${grepVersion})`,
        note: `${(mb / median(gr)).toFixed(0)} MB/s (${median(gr).toFixed(2)} s; ${grepLines} matching lines, decoys included; median of ${rounds})`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
