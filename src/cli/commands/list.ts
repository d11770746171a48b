import { Command, Option } from 'commander';
import { KEY_STATUSES } from 'keysmith';
import { optionsOf, withTarget } from '../context.js';
import { CliError } from '../errors.js';
import { keyTable } from '../format.js';
import { commaList, toJson } from '../io.js';

/** A flag's whole positive number, or a usage error naming the flag. */
function positiveInteger(flag: string, value: string): number {
  if (!/^[1-9]\d{0,6}$/.test(value)) throw new CliError(`${flag}: not a positive whole number: ${value}`);
  return Number(value);
}

interface ListFlags {
  tenant: string;
  status?: string;
  search?: string;
  page: string;
  limit: string;
  includeRevoked?: boolean;
}

/** `keysmith list`: one page of a tenant's keys. */
export function listCommand(): Command {
  return new Command('list')
    .description("list a tenant's keys (redacted), newest first")
    .requiredOption('--tenant <id>', 'the tenant')
    .addOption(new Option('--status <list>', `only keys in these states (${KEY_STATUSES.join(', ')}), comma-separated`))
    .option('--search <text>', 'match on name or preview')
    .option('--page <n>', 'page number', '1')
    .option('--limit <n>', 'keys per page (at most 100)', '20')
    .option('--include-revoked', 'also list revoked keys')
    .action(async (_flags: ListFlags, command: Command) => {
      const options = optionsOf<ListFlags>(command);
      await withTarget(options, async ({ keyring }, io) => {
        const page = await keyring.list(options.tenant, {
          page: positiveInteger('--page', options.page),
          limit: positiveInteger('--limit', options.limit),
          ...(options.search !== undefined ? { search: options.search } : {}),
          ...(options.status !== undefined ? { status: commaList(options.status) as (typeof KEY_STATUSES)[number][] } : {}),
          ...(options.includeRevoked ? { includeRevoked: true } : {}),
        });
        if (options.json) {
          io.out(toJson(page));
          return;
        }
        if (page.items.length > 0) io.out(keyTable(page.items));
        const pages = Math.max(1, Math.ceil(page.total / page.limit));
        io.err(`${page.total} key${page.total === 1 ? '' : 's'} in tenant ${options.tenant} (page ${page.page} of ${pages})`);
      });
    });
}
