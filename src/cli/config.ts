import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Keyring } from 'keysmith';
import { CliError } from './errors.js';
import { openStoreUrl } from './store-url.js';
import type { CliConfig, Target } from './target.js';

/** The file names looked for in the current directory, in this order. */
const CONFIG_FILES = ['keysmith.config.ts', 'keysmith.config.mts', 'keysmith.config.js', 'keysmith.config.mjs', 'keysmith.config.cjs'];

/** The global options every store-backed command takes. */
export interface GlobalOptions {
  config?: string;
  store?: string;
  prefix?: string;
  table?: string;
  json?: boolean;
}

function isKeyring(value: unknown): value is Keyring {
  return !!value && typeof value === 'object' && typeof (value as Keyring).verify === 'function' && typeof (value as Keyring).create === 'function';
}

/**
 * The file of tsx's ESM API (`tsx/esm/api`, import condition), installed in the project or next to
 * keysmith; null when tsx is not installed. Resolved through its package.json `exports`, since
 * require.resolve would pick the CommonJS build.
 */
function tsxEsmApi(): string | null {
  for (const base of [join(process.cwd(), 'noop.js'), fileURLToPath(import.meta.url)]) {
    try {
      const manifest = createRequire(base).resolve('tsx/package.json');
      const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, { import?: { default?: string } }> }).exports;
      const file = exports?.['./esm/api']?.import?.default;
      if (file) return join(dirname(manifest), file);
    } catch {
      // not installed here: try the next place
    }
  }
  return null;
}

/** TypeScript configs load through tsx's `tsImport` (an optional peer) unless Node already runs TypeScript. */
async function importTypeScript(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href;
  let tsx: { tsImport(specifier: string, parent: string): Promise<unknown> } | null = null;
  const api = tsxEsmApi();
  if (api) tsx = await import(pathToFileURL(api).href);
  if (tsx) return tsx.tsImport(url, import.meta.url);
  try {
    return await import(url);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_UNKNOWN_FILE_EXTENSION') {
      throw new CliError(`loading ${file} needs tsx: npm install -D tsx (or write keysmith.config.js, or run node --import tsx)`);
    }
    throw error;
  }
}

async function importConfig(file: string): Promise<unknown> {
  if (!existsSync(file)) throw new CliError(`config file not found: ${file}`);
  const ext = extname(file);
  try {
    return ext === '.ts' || ext === '.mts' || ext === '.cts' ? await importTypeScript(file) : await import(pathToFileURL(file).href);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CliError(`could not load ${file}: ${message}`);
  }
}

/** Reads what a config module exports into a `Target`. */
async function targetFromModule(file: string, loaded: unknown): Promise<Target> {
  const mod = loaded as { default?: unknown; config?: unknown };
  let value: unknown = mod.default ?? mod.config;
  // A CommonJS module imported as ESM puts module.exports on default; a transpiled ESM one nests once more.
  if (value && typeof value === 'object' && !isKeyring(value) && 'default' in value && !('keyring' in value)) value = (value as { default: unknown }).default;
  if (typeof value === 'function') value = await (value as () => unknown)();
  const config: CliConfig | null = isKeyring(value)
    ? { keyring: value }
    : value && typeof value === 'object' && isKeyring((value as CliConfig).keyring)
      ? (value as CliConfig)
      : null;
  if (!config) throw new CliError(`${file} must export (default) a keyring, { keyring, postgres?, mongo?, close? }, or a function returning one`);
  const target: Target = {
    keyring: config.keyring,
    label: file,
    close: async () => {
      await config.close?.();
      await config.keyring.close();
    },
  };
  if (config.postgres) {
    const { migrate, migrationSql, MIGRATIONS } = await import('keysmith/postgres');
    const { client, table } = config.postgres;
    const options = table === undefined ? {} : { table };
    target.migrate = async () => {
      const { applied } = await migrate(client, options);
      return applied.length === 0 ? 'already up to date' : `applied migration${applied.length > 1 ? 's' : ''} ${applied.join(', ')}`;
    };
    target.migrationSql = () => MIGRATIONS.map((m) => `-- ${m.name}\n${migrationSql(m, options).trim()}\n`).join('\n');
  } else if (config.mongo) {
    const { mongoStore } = await import('keysmith/mongo');
    const store = mongoStore({ collection: config.mongo.collection as Parameters<typeof mongoStore>[0]['collection'] });
    target.migrate = async () => `indexes ensured: ${(await store.ensureIndexes()).join(', ')}`;
  }
  return target;
}

/** The config file to use: `--config`, else the first `keysmith.config.*` in the current directory, else none. */
function findConfigFile(options: GlobalOptions, cwd = process.cwd()): string | null {
  if (options.config) return resolve(cwd, options.config);
  for (const name of CONFIG_FILES) {
    const file = resolve(cwd, name);
    if (existsSync(file)) return file;
  }
  return null;
}

/**
 * Opens the keyring the command works on: `--config <file>`, else `--store <url>` (or
 * KEYSMITH_STORE), else `keysmith.config.*` in the current directory.
 */
export async function openTarget(options: GlobalOptions): Promise<Target> {
  if (options.config) {
    const file = findConfigFile(options)!;
    return targetFromModule(file, await importConfig(file));
  }
  if (options.store) return openStoreUrl({ store: options.store, prefix: options.prefix, table: options.table });
  const file = findConfigFile(options);
  if (file) return targetFromModule(file, await importConfig(file));
  throw new CliError('no configuration: add keysmith.config.ts (or .js) here, or pass --store <url> --prefix <prefix> (or set KEYSMITH_STORE)');
}
