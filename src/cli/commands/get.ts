import { Command } from 'commander';
import { optionsOf, withTarget } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { keyLines } from '../format.js';
import { toJson } from '../io.js';

interface GetFlags {
  tenant: string;
}

/** `keysmith get <id>`: one key of the tenant, revoked ones included. */
export function getCommand(): Command {
  return new Command('get')
    .description("show one key of a tenant (redacted); another tenant's key is not found")
    .argument('<id>', 'the key id (16 characters, as in the token and the preview)')
    .requiredOption('--tenant <id>', 'the tenant')
    .action(async (id: string, _flags: GetFlags, command: Command) => {
      const options = optionsOf<GetFlags>(command);
      await withTarget(options, async ({ keyring }, io) => {
        const key = await keyring.get(options.tenant, id);
        if (!key) throw new CliError(`no key ${id} in tenant ${options.tenant}`, EXIT.FOUND);
        io.out(options.json ? toJson(key) : keyLines(key));
      });
    });
}
