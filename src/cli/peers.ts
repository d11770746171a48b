import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from './errors.js';

/**
 * Imports an optional peer (`pg`, `mongodb`, `@electric-sql/pglite`, `tsx`): first as installed in
 * the project the CLI runs in (the current directory), then as resolved from keysmith itself.
 * A missing package is a configuration error that names the package to install.
 */
export async function importPeer<T>(name: string, why: string, subpath = ''): Promise<T> {
  const specifier = `${name}${subpath}`;
  let resolved: string | null = null;
  try {
    resolved = createRequire(join(process.cwd(), 'noop.js')).resolve(specifier);
  } catch {
    resolved = null;
  }
  try {
    return (await import(resolved ? pathToFileURL(resolved).href : specifier)) as T;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new CliError(`${why} needs the "${name}" package: npm install ${name}`);
    throw error;
  }
}
