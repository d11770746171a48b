import { Command } from 'commander';
import { optionsOf, withTarget } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { commaList, toJson } from '../io.js';
import { LineReader, readAllStdin } from '../stdin.js';

interface VerifyFlags {
  scopes?: string;
  ip?: string;
}

/** Reads the token: piped stdin as a whole, or one line typed at the terminal. Never argv. */
async function readToken(): Promise<string> {
  if (process.stdin.isTTY) {
    const reader = new LineReader();
    try {
      return (await reader.ask('Token: ')) ?? '';
    } finally {
      reader.close();
    }
  }
  return readAllStdin();
}

/** `keysmith verify`: reads a token from stdin and prints the verdict; exit 0 valid, 1 not. */
export function verifyCommand(): Command {
  return new Command('verify')
    .description('check a token read from stdin (never from the command line, so it stays out of shell history)')
    .option('--scopes <list>', 'also require these scopes (comma-separated)')
    .option('--ip <address>', "the caller's address, for keys with an IP allowlist")
    .addHelpText('after', '\nExample:\n  keysmith verify < token.txt\n  printf %s "$TOKEN" | keysmith verify --scopes evidence:read')
    .action(async (_flags: VerifyFlags, command: Command) => {
      const options = optionsOf<VerifyFlags>(command);
      const token = (await readToken()).trim();
      if (token === '') throw new CliError('verify reads the token from stdin: nothing was given');
      await withTarget(options, async ({ keyring }, io) => {
        // cost 0: checking a key from the CLI spends no credits and no rate-limit quota.
        const result = await keyring.verify(token, {
          cost: 0,
          ...(options.scopes !== undefined ? { scopes: commaList(options.scopes) } : {}),
          ...(options.ip !== undefined ? { ip: options.ip } : {}),
        });
        if (result.valid) {
          const { key } = result;
          io.out(options.json ? toJson({ valid: true, key }) : `valid: key ${key.id} ("${key.name}") of tenant ${key.tenantId}, ${key.preview}`);
          return;
        }
        io.out(options.json ? toJson({ valid: false, code: result.code, message: result.message }) : `invalid: ${result.code}: ${result.message}`);
        if (result.code === 'STORE_UNAVAILABLE') throw new CliError('the key store is unavailable', EXIT.USAGE);
        process.exitCode = EXIT.FOUND;
      });
    });
}
