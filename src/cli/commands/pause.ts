import { Command } from 'commander';
import { optionsOf, withTarget } from '../context.js';
import { toJson } from '../io.js';

interface StateFlags {
  tenant: string;
}

/** `keysmith pause <id>` / `keysmith resume <id>`: the reversible switch (revoke is final). */
export function setEnabledCommand(name: 'pause' | 'resume'): Command {
  const enabled = name === 'resume';
  return new Command(name)
    .description(enabled ? 'resume a paused key' : 'pause a key (reversible: resume turns it back on; revoke is final)')
    .argument('<id>', 'the key id')
    .requiredOption('--tenant <id>', 'the tenant')
    .action(async (id: string, _flags: StateFlags, command: Command) => {
      const options = optionsOf<StateFlags>(command);
      await withTarget(options, async ({ keyring }, io) => {
        const key = await keyring.setEnabled(options.tenant, id, enabled, { actorId: 'keysmith-cli' });
        if (options.json) io.out(toJson(key));
        else io.err(`Key ${key.id} ("${key.name}") is ${key.status}.`);
      });
    });
}

/** `keysmith pause <id>`. */
export const pauseCommand = () => setEnabledCommand('pause');
