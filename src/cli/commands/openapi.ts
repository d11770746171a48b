import { Command } from 'commander';
import { adminOpenApi } from 'keysmith/http';
import { optionsOf, withTarget } from '../context.js';

interface OpenApiFlags {
  basePath: string;
  title?: string;
}

/** `keysmith openapi`: the admin API's OpenAPI 3.1 document for the configured keyring. */
export function openapiCommand(): Command {
  return new Command('openapi')
    .description("print the admin API's OpenAPI 3.1 document (scopes and presets of the configured keyring)")
    .option('--base-path <path>', 'where the admin API is mounted', '/admin')
    .option('--title <title>', 'the document title')
    .action(async (_flags: OpenApiFlags, command: Command) => {
      const options = optionsOf<OpenApiFlags>(command);
      await withTarget(options, async ({ keyring }, io) => {
        const document = adminOpenApi(keyring, { basePath: options.basePath, ...(options.title ? { title: options.title } : {}) });
        io.out(JSON.stringify(document, null, 2));
      });
    });
}
