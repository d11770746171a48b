import { Command, Option } from 'commander';
import { createCommand } from './commands/create.js';
import { getCommand } from './commands/get.js';
import { listCommand } from './commands/list.js';
import { migrateCommand } from './commands/migrate.js';
import { openapiCommand } from './commands/openapi.js';
import { pauseCommand } from './commands/pause.js';
import { resumeCommand } from './commands/resume.js';
import { revokeCommand } from './commands/revoke.js';
import { rotateCommand } from './commands/rotate.js';
import { scanCommand } from './commands/scan.js';
import { verifyCommand } from './commands/verify.js';
import { packageVersion } from './version.js';

/** The `keysmith` program: global options, then one subcommand per file in commands/. */
export function buildProgram(): Command {
  const program = new Command('keysmith')
    .description('keysmith API keys from the command line: migrate, mint, list, pause, rotate, revoke, verify, and scan for leaked keys')
    .version(packageVersion(), '-V, --version')
    .addOption(new Option('-c, --config <file>', 'config module exporting the keyring (default: ./keysmith.config.{ts,mts,js,mjs,cjs})'))
    .addOption(new Option('--store <url>', 'postgres://…, mongodb://… or pglite:<dir>, instead of a config module').env('KEYSMITH_STORE'))
    .addOption(new Option('--prefix <prefix>', "the keyring's token prefix (with --store)").env('KEYSMITH_PREFIX'))
    .addOption(new Option('--table <name>', 'with --store: PostgreSQL table ([schema.]table) or MongoDB collection').env('KEYSMITH_TABLE'))
    .option('--json', 'machine-readable output (one JSON document)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nSecrets come from the environment: KEYSMITH_STORE (a URL with a password), KEYSMITH_PEPPER (<id>:<secret>).\nExit codes: 0 ok, 1 found or refused, 2 usage, configuration or store error.\nDocs: https://github.com/keysmith-dev/keysmith/blob/main/docs/cli.md',
    );
  for (const command of [
    migrateCommand(),
    createCommand(),
    listCommand(),
    getCommand(),
    pauseCommand(),
    resumeCommand(),
    rotateCommand(),
    revokeCommand(),
    verifyCommand(),
    scanCommand(),
    openapiCommand(),
  ]) {
    program.addCommand(command.showHelpAfterError('(run with --help for usage)'));
  }
  program.exitOverride();
  for (const command of program.commands) command.exitOverride();
  return program;
}
