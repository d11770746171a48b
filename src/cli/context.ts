import type { Command } from 'commander';
import { type GlobalOptions, openTarget } from './config.js';
import { type Io, processIo } from './io.js';
import type { Target } from './target.js';

/** Options of a command merged with the program's global ones. */
export function optionsOf<T>(command: Command): T & GlobalOptions {
  return command.optsWithGlobals<T & GlobalOptions>();
}

/** Opens the configured keyring, runs `work`, and always closes the store's connections. */
export async function withTarget<R>(options: GlobalOptions, work: (target: Target, io: Io) => Promise<R>): Promise<R> {
  const target = await openTarget(options);
  try {
    return await work(target, processIo);
  } finally {
    await target.close().catch(() => {});
  }
}
