#!/usr/bin/env node
/**
 * The `keysmith` binary (package.json `bin`, built to dist/cli.js). Exit codes: 0 ok, 1 found or
 * refused, 2 usage, configuration or store error, always with one line on stderr and no stack
 * trace (KEYSMITH_DEBUG=1 adds it).
 */
import { CommanderError } from 'commander';
import { describeFailure, EXIT } from './errors.js';
import { buildProgram } from './program.js';

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help); help and --version are successes.
      process.exitCode = error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    const { line, exitCode } = describeFailure(error);
    process.stderr.write(`keysmith: ${line}\n`);
    if (process.env.KEYSMITH_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = exitCode;
  }
}

// `keysmith openapi | head`: a reader that stops early is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.OK);
  throw error;
});

await main(process.argv);
