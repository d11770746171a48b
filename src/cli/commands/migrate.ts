import { Command } from 'commander';
import { optionsOf, withTarget } from '../context.js';
import { CliError } from '../errors.js';

interface MigrateFlags {
  print?: boolean;
}

/** `keysmith migrate`: creates or upgrades the table (PostgreSQL) or the indexes (MongoDB); idempotent. */
export function migrateCommand(): Command {
  return new Command('migrate')
    .description('create or upgrade the key table (PostgreSQL, PGlite) or ensure the indexes (MongoDB); safe to run on every deploy')
    .option('--print', 'print the SQL instead of running it (PostgreSQL)')
    .action(async (_flags: MigrateFlags, command: Command) => {
      const options = optionsOf<MigrateFlags>(command);
      await withTarget(options, async (target, io) => {
        if (options.print) {
          if (!target.migrationSql) throw new CliError('--print needs a PostgreSQL store (name it in the config as postgres: { client, table })');
          io.out(target.migrationSql());
          return;
        }
        if (!target.migrate)
          throw new CliError(`nothing to migrate for ${target.label}: name the database in the config (postgres: { client, table } or mongo: { collection })`);
        io.err(`${target.label}: ${await target.migrate()}`);
      });
    });
}
