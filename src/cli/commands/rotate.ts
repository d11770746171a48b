import { Command } from 'commander';
import { parseDuration } from '../../management/duration.js';
import { optionsOf, withTarget } from '../context.js';
import { CliError } from '../errors.js';
import { keyLines } from '../format.js';
import { toJson } from '../io.js';

interface RotateFlags {
  tenant: string;
  grace: string;
}

/** `keysmith rotate <id>`: a new key with the same permissions; the new token is the only thing on stdout. */
export function rotateCommand(): Command {
  return new Command('rotate')
    .description('replace a key by a new one with the same permissions; prints the new token alone on stdout')
    .argument('<id>', 'the key id')
    .requiredOption('--tenant <id>', 'the tenant')
    .option('--grace <duration>', 'how long the old token keeps working, e.g. 1h (default: it stops at once)', '0')
    .action(async (id: string, _flags: RotateFlags, command: Command) => {
      const options = optionsOf<RotateFlags>(command);
      const graceMs = options.grace === '0' ? 0 : parseDuration(options.grace);
      if (graceMs === null) throw new CliError(`--grace: not a duration: ${options.grace} (use e.g. 30m, 1h, 7d)`);
      await withTarget(options, async ({ keyring }, io) => {
        const { key, token, previous } = await keyring.rotate(options.tenant, id, { graceMs, actorId: 'keysmith-cli' });
        const until = previous.expiresAt && graceMs > 0 ? `keeps working until ${previous.expiresAt.toISOString()}` : 'stopped working now';
        io.err(
          options.json ? toJson({ key, previous }) : `Rotated ${previous.id}: the old token ${until}.\nNew key:\n${keyLines(key)}\nThe token is shown once.`,
        );
        io.out(token);
      });
    });
}
