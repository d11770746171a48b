import { Command } from 'commander';
import { optionsOf, withTarget } from '../context.js';
import { keyLines } from '../format.js';
import { commaList, toJson } from '../io.js';

interface CreateFlags {
  tenant: string;
  name: string;
  scopes?: string;
  roles?: string;
  preset?: string;
  expires?: string;
  owner?: string;
  by?: string;
}

/** `keysmith create`: mints a key; its token is the only thing written to stdout. */
export function createCommand(): Command {
  return new Command('create')
    .description('mint a key; prints its token alone on stdout (so `> file` works), details on stderr')
    .requiredOption('--tenant <id>', 'the tenant (organisation, project) the key belongs to')
    .requiredOption('--name <name>', 'a human name for the key (1-120 characters)')
    .option('--scopes <list>', 'comma-separated scopes, e.g. evidence:read,controls:*')
    .option('--roles <list>', 'comma-separated roles of the keyring')
    .option('--preset <name>', 'a preset of the keyring (read-only, full-access, …)')
    .option('--expires <duration>', 'lifetime such as 90d, 12h or 30m (default: never, or the keyring default)')
    .option('--owner <userId>', 'bind the key to a user (default: a service key)')
    .option('--by <actor>', 'recorded as createdBy', 'keysmith-cli')
    .action(async (_flags: CreateFlags, command: Command) => {
      const options = optionsOf<CreateFlags>(command);
      await withTarget(options, async ({ keyring }, io) => {
        const { key, token } = await keyring.create({
          tenantId: options.tenant,
          name: options.name,
          ...(options.scopes !== undefined ? { scopes: commaList(options.scopes) } : {}),
          ...(options.roles !== undefined ? { roles: commaList(options.roles) } : {}),
          ...(options.preset !== undefined ? { preset: options.preset } : {}),
          ...(options.expires !== undefined ? { expiresIn: options.expires } : {}),
          ...(options.owner !== undefined ? { ownerId: options.owner } : {}),
          createdBy: options.by ?? null,
        });
        io.err(
          options.json
            ? toJson({ key })
            : `Created key ${key.id} ("${key.name}") in tenant ${key.tenantId}.\n${keyLines(key)}\nThe token is shown once; keysmith keeps only its hash.`,
        );
        io.out(token);
      });
    });
}
