/**
 * What keysmith needs from a Postgres client: one method. A node-postgres `Pool` or `Client` and a
 * PGlite instance all fit, so keysmith imports no driver at run time.
 */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export type Row = Record<string, unknown>;

/** An error Postgres answered (SQLSTATE code), as opposed to a connection fault. */
export function sqlState(error: unknown): string | null {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/**
 * Thrown in place of a driver's error when Postgres rejected a statement. Postgres quotes values in
 * data and constraint errors (class 22 and 23, e.g. `Key (id)=(…) already exists`), and PGlite
 * attaches the bound parameters to its errors, so the original error is not kept: only its SQLSTATE
 * code, and its message when the class never quotes values.
 */
export class PostgresStoreError extends Error {
  readonly code: string;
  readonly operation: string;

  constructor(operation: string, code: string, driverMessage: string | undefined) {
    const quotesValues = code.startsWith('22') || code.startsWith('23');
    const detail = !quotesValues && driverMessage ? `: ${driverMessage}` : '';
    super(`Postgres rejected ${operation} (SQLSTATE ${code})${detail}`);
    this.name = 'PostgresStoreError';
    this.code = code;
    this.operation = operation;
  }
}

/** node-postgres also takes `{ name, text, values, types }`: a named statement (parsed and planned once per connection), its own type parsers. */
interface ConfigQueryable {
  query(config: { name?: string; text: string; values: unknown[]; types?: object }): Promise<{ rows: Row[] }>;
}

/** node-postgres (`Pool`, `Client`) rather than PGlite, whose `query` takes no statement name. */
export function supportsNamedStatements(client: Queryable): boolean {
  const c = client as unknown as Record<string, unknown>;
  return typeof c.connect === 'function' && typeof c.waitReady === 'undefined' && typeof c.exec === 'undefined';
}

/**
 * Runs one statement (as a named prepared statement when `name` is given, with node-postgres
 * `types` when given); Postgres errors lose their values (see above), connection faults pass through.
 */
export async function run(client: Queryable, operation: string, text: string, params: unknown[], name?: string, types?: object): Promise<Row[]> {
  try {
    if (name !== undefined || types !== undefined) return (await (client as unknown as ConfigQueryable).query({ name, text, values: params, types })).rows;
    return (await client.query(text, params)).rows;
  } catch (error) {
    const code = sqlState(error);
    if (code === null) throw error;
    throw new PostgresStoreError(operation, code, error instanceof Error ? error.message : undefined);
  }
}
