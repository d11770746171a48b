import { Command } from 'commander';
import { optionsOf, withTarget } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { toJson } from '../io.js';
import { LineReader } from '../stdin.js';

interface RevokeFlags {
  tenant: string;
  yes?: boolean;
  by: string;
}

/**
 * Asks the operator to type the key's name (from the terminal, or the first line of piped stdin);
 * anything else refuses. Shared with `scan --revoke`.
 */
export async function confirmByName(reader: LineReader, key: { id: string; name: string; tenantId: string }): Promise<boolean> {
  const answer = await reader.ask(`Revoking is final. Type the name of key ${key.id} in tenant ${key.tenantId} ("${key.name}") to revoke it: `);
  return answer !== null && answer.trim() === key.name;
}

/** `keysmith revoke <id>`: final; asks to type the key's name unless --yes. */
export function revokeCommand(): Command {
  return new Command('revoke')
    .description("revoke a key for good (the record stays for audit); asks to type the key's name unless --yes")
    .argument('<id>', 'the key id')
    .requiredOption('--tenant <id>', 'the tenant')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--by <actor>', 'recorded as revokedBy', 'keysmith-cli')
    .action(async (id: string, _flags: RevokeFlags, command: Command) => {
      const options = optionsOf<RevokeFlags>(command);
      await withTarget(options, async ({ keyring }, io) => {
        const key = await keyring.get(options.tenant, id);
        if (!key || key.revokedAt) throw new CliError(`no live key ${id} in tenant ${options.tenant}`, EXIT.FOUND);
        if (!options.yes) {
          const reader = new LineReader();
          try {
            if (!(await confirmByName(reader, key))) throw new CliError('refused: the name did not match; nothing was revoked', EXIT.FOUND);
          } finally {
            reader.close();
          }
        }
        const revoked = await keyring.revoke(options.tenant, id, { by: options.by, actorId: options.by });
        if (options.json) io.out(toJson(revoked));
        else io.err(`Revoked key ${revoked.id} ("${revoked.name}").`);
      });
    });
}
