import { Command, Option } from 'commander';
import { isValidPrefix } from '../../token/token.js';
import { optionsOf, withTarget } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { type Io, processIo as io } from '../io.js';
import { newStats, type Finding } from '../scan/finding.js';
import { scanFiles } from '../scan/files.js';
import { scanHistory } from '../scan/git.js';
import { TokenMatcher } from '../scan/matcher.js';
import { Progress } from '../scan/progress.js';
import { jsonReport, textReport } from '../scan/report.js';
import { sarifReport } from '../scan/sarif.js';
import { LineReader } from '../stdin.js';
import type { Target } from '../target.js';
import { packageVersion } from '../version.js';
import { confirmByName } from './revoke.js';

interface ScanFlags {
  git?: boolean;
  keyPrefix?: string;
  format: 'text' | 'json' | 'sarif';
  checkStore?: boolean;
  revoke?: boolean;
  yes?: boolean;
}

/** Looks up each found key (by id, in any tenant) and, with --revoke, revokes the live ones after confirmation. */
async function checkStore(target: Target, findings: Finding[], revoke: boolean, yes: boolean, io: Io): Promise<void> {
  const { keyring } = target;
  const byId = new Map<string, Finding[]>();
  for (const f of findings) byId.set(f.keyId, [...(byId.get(f.keyId) ?? []), f]);
  const reader = new LineReader();
  try {
    for (const [id, group] of byId) {
      const key = await keyring.getAcrossTenants(id);
      const status = key && key.prefix === group[0]!.prefix ? key.status : 'unknown';
      let revoked = false;
      if (revoke && key && status !== 'unknown' && status !== 'revoked') {
        if (yes || (await confirmByName(reader, key))) {
          await keyring.revoke(key.tenantId, id, { by: 'keysmith-scan', actorId: 'keysmith-scan' });
          revoked = true;
          io.err(`Revoked key ${id} ("${key.name}") of tenant ${key.tenantId}.`);
        } else {
          io.err(`Not revoked: key ${id} (the name did not match).`);
        }
      }
      for (const f of group) {
        f.status = revoked ? 'revoked' : status;
        if (revoke) f.revoked = revoked;
      }
    }
  } finally {
    reader.close();
  }
}

/** `keysmith scan`: finds committed keysmith tokens; exit 1 when any is found. */
export function scanCommand(): Command {
  return new Command('scan')
    .description('find keysmith tokens in files (and with --git in the history), confirmed by checksum; exit 1 when one is found')
    .argument('[paths...]', 'files or directories to scan (node_modules and binary files are skipped)', ['.'])
    .option('--git', "also scan every blob in the repository's history (all refs)")
    .option('--key-prefix <prefix>', "only report tokens with this prefix (default: any keyring's tokens)")
    .addOption(new Option('--format <format>', 'report format').choices(['text', 'json', 'sarif']).default('text'))
    .option('--check-store', 'say whether each found key is live in the configured store')
    .option('--revoke', "revoke each live found key (asks to type the key's name unless --yes)")
    .option('-y, --yes', 'with --revoke: do not ask')
    .addHelpText(
      'after',
      '\nOnly tokens whose checksum holds are reported, and only by preview, whatever their prefix (--key-prefix keeps one).\nnode_modules and .git are skipped while walking a directory (name one explicitly to scan it).\n\nExample (GitHub code scanning):\n  keysmith scan --git --format sarif > keysmith.sarif',
    )
    .action(async (paths: string[], _flags: ScanFlags, command: Command) => {
      const options = optionsOf<ScanFlags>(command);
      if (options.keyPrefix !== undefined && !isValidPrefix(options.keyPrefix)) throw new CliError(`--key-prefix: not a valid prefix: ${options.keyPrefix}`);
      const format = options.json ? 'json' : options.format;
      const matcher = new TokenMatcher(options.keyPrefix);
      const stats = newStats();
      const progress = new Progress();
      const findings = scanFiles(paths, matcher, stats, progress);
      if (options.git) {
        const seen = new Set(findings.map((f) => `${f.keyId}\0${f.path}`));
        for (const f of await scanHistory(process.cwd(), matcher, stats, progress)) if (!seen.has(`${f.keyId}\0${f.path}`)) findings.push(f);
      }
      progress.done();
      if (findings.length > 0 && (options.checkStore || options.revoke)) {
        await withTarget(options, (target, targetIo) => checkStore(target, findings, options.revoke === true, options.yes === true, targetIo));
      }
      if (format === 'sarif') io.out(sarifReport(findings, packageVersion()));
      else if (format === 'json') io.out(jsonReport(findings, stats));
      const text = textReport(findings, stats);
      if (format === 'text' && text.out) io.out(text.out);
      io.err(text.summary);
      if (findings.length > 0) process.exitCode = EXIT.FOUND;
    });
}
