/**
 * A flight recorder for leak tests: it keeps, as text, everything a run lets out of the process or
 * hands to the application, so a test can search it afterwards for secrets.
 *
 * What it records (each as one `Recording`):
 * - `response`: every HTTP answer received through `recorder.fetch` (status, every header, the
 *   whole body, read from a clone in the background so streams such as SSE are caught too);
 *   `install()` puts that fetch in `globalThis.fetch`, so SDK clients using the global are covered.
 * - `event`: every keyring `onEvent` payload (pass `recorder.onEvent` as the listener).
 * - `error`: every error thrown by a wrapped keyring's method (`recorder.wrapKeyring`) or handed
 *   to `recorder.error` (e.g. by an `onError` option or a test's catch): name, message, stack,
 *   own fields (code, issues, data…) and the whole `cause` chain.
 * - `result`: every value a wrapped keyring's method returns, except the ones that exist to carry
 *   a new plaintext token (`create`, `rotate`), whose only way out is the 201 body, recorded as a
 *   `response`. Verify failures (returned, not thrown) land here.
 * - `console` / `stdout` / `stderr`: every `console.*` call and direct stream write while installed.
 *
 * Usage:
 *   const rec = createRecorder();
 *   rec.install();                    // patches fetch, console.*, process.stdout/stderr.write
 *   try { …scenario… } finally { rec.uninstall(); }
 *   await rec.settle();               // waits for response bodies still being read
 *   expect(rec.find(secret).filter((r) => !allowed(r))).toEqual([]);
 */
import { inspect } from 'node:util';

type RecordingKind = 'response' | 'event' | 'error' | 'result' | 'console' | 'stdout' | 'stderr';

export interface Recording {
  kind: RecordingKind;
  /** e.g. `POST http://127.0.0.1:1234/admin/keys → 201`, `keyring.verify`, `console.warn`. */
  label: string;
  /** For responses: request method, URL path and status, to tell allowed places from others. */
  method?: string;
  path?: string;
  status?: number;
  /** Everything recorded, as one searchable text (headers and body for a response). */
  text: string;
}

/** Methods whose return value is the only copy of a new plaintext token (see file comment). */
const MINTING = new Set(['create', 'rotate']);

/** Message, stack, own fields and cause chain of anything thrown, as plain text. */
function serializeError(error: unknown, depth = 0): string {
  if (depth > 8) return '[cause chain too deep]';
  if (!(error instanceof Error)) return inspect(error, { depth: 8, breakLength: Infinity });
  const own: Record<string, unknown> = {};
  for (const key of Object.getOwnPropertyNames(error)) {
    if (key !== 'stack' && key !== 'message' && key !== 'cause') own[key] = (error as unknown as Record<string, unknown>)[key];
  }
  const parts = [`${error.name}: ${error.message}`, error.stack ?? '', `fields ${inspect(own, { depth: 8, breakLength: Infinity })}`];
  if (error.cause !== undefined) parts.push(`cause → ${serializeError(error.cause, depth + 1)}`);
  if (error instanceof AggregateError) for (const e of error.errors) parts.push(`aggregated → ${serializeError(e, depth + 1)}`);
  return parts.join('\n');
}

/** JSON with dates as ISO strings; falls back to inspect for what JSON cannot hold. */
function toText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return inspect(value, { depth: 8, breakLength: Infinity });
  }
}

function headerLines(headers: Headers): string[] {
  const lines: string[] = [];
  headers.forEach((value, name) => {
    lines.push(`${name}: ${value}`);
  });
  return lines;
}

function chunkText(chunk: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk).toString('utf8');
  return String(chunk);
}

export function createRecorder() {
  const entries: Recording[] = [];
  const pending = new Set<Promise<void>>();
  const readers = new Set<ReadableStreamDefaultReader<Uint8Array>>();
  const realFetch = globalThis.fetch;
  let restore: (() => void) | null = null;

  const add = (entry: Recording): Recording => {
    entries.push(entry);
    return entry;
  };

  /** Reads a cloned body chunk by chunk into the entry, so an endless stream still shows what came. */
  const drain = (entry: Recording, body: ReadableStream<Uint8Array>, head: string) => {
    const reader = body.getReader();
    readers.add(reader);
    const decoder = new TextDecoder();
    let text = '';
    const done = (async () => {
      try {
        for (;;) {
          const { done: end, value } = await reader.read();
          if (end) break;
          text += decoder.decode(value, { stream: true });
          entry.text = head + text;
        }
        entry.text = head + text + decoder.decode();
      } catch {
        entry.text = head + text; // cancelled by settle(), or the connection dropped
      } finally {
        readers.delete(reader);
      }
    })();
    pending.add(done);
    void done.finally(() => pending.delete(done));
  };

  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await realFetch(input, init);
    const request = input instanceof Request ? input : null;
    const url = new URL(request ? request.url : String(input));
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const head = [`${method} ${url.pathname}${url.search} → ${response.status}`, ...headerLines(response.headers), ''].join('\n');
    const entry = add({
      kind: 'response',
      label: `${method} ${url.href} → ${response.status}`,
      method,
      path: url.pathname,
      status: response.status,
      text: head,
    });
    const copy = response.clone();
    if (copy.body) drain(entry, copy.body, head);
    return response;
  };

  const recorder = {
    entries,
    fetch: recordingFetch,

    /** A keyring `onEvent` listener. */
    onEvent(event: unknown): void {
      add({ kind: 'event', label: `event ${(event as { type?: string }).type ?? '?'}`, text: toText(event) });
    },

    /** Records a thrown (or otherwise reported) error with its whole cause chain. */
    error(error: unknown, label = 'error'): void {
      add({ kind: 'error', label, text: serializeError(error) });
    },

    /**
     * The same keyring, recording what each method returns or throws (see file comment). Pass the
     * wrapper everywhere (adapters compare keyrings by identity).
     */
    wrapKeyring<K extends object>(keyring: K): K {
      return new Proxy(keyring, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          if (typeof value !== 'function' || typeof property !== 'string') return value;
          return (...args: unknown[]) => {
            const label = `keyring.${property}`;
            let out: unknown;
            try {
              out = (value as (...a: unknown[]) => unknown).apply(target, args);
            } catch (error) {
              recorder.error(error, label);
              throw error;
            }
            if (!(out instanceof Promise)) {
              if (!MINTING.has(property)) add({ kind: 'result', label, text: toText(out) });
              return out;
            }
            return out.then(
              (resolved) => {
                if (!MINTING.has(property)) add({ kind: 'result', label, text: toText(resolved) });
                return resolved;
              },
              (error: unknown) => {
                recorder.error(error, label);
                throw error;
              },
            );
          };
        },
      });
    },

    /** Patches globalThis.fetch, console.* and process.stdout/stderr.write (calling through). */
    install(): void {
      if (restore) return;
      const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir'] as const;
      const savedConsole = consoleMethods.map((m) => [m, console[m]] as const);
      for (const [m, original] of savedConsole) {
        console[m] = (...args: unknown[]) => {
          add({
            kind: 'console',
            label: `console.${m}`,
            text: args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? serializeError(a) : inspect(a, { depth: 8 }))).join(' '),
          });
          (original as (...a: unknown[]) => void).apply(console, args);
        };
      }
      const streams = [
        ['stdout', process.stdout],
        ['stderr', process.stderr],
      ] as const;
      const savedWrites = streams.map(([name, stream]) => {
        const original = stream.write;
        stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
          add({ kind: name, label: `process.${name}.write`, text: chunkText(chunk) });
          return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
        } as typeof stream.write;
        return [stream, original] as const;
      });
      globalThis.fetch = recordingFetch;
      restore = () => {
        for (const [m, original] of savedConsole) (console as unknown as Record<string, unknown>)[m] = original;
        for (const [stream, original] of savedWrites) stream.write = original;
        globalThis.fetch = realFetch;
      };
    },

    uninstall(): void {
      restore?.();
      restore = null;
    },

    /** Waits for bodies still being read; streams still open after `ms` are cut where they are. */
    async settle(ms = 2_000): Promise<void> {
      const timer = setTimeout(() => {
        for (const reader of readers) reader.cancel().catch(() => {});
      }, ms);
      try {
        while (pending.size > 0) await Promise.all([...pending]);
      } finally {
        clearTimeout(timer);
      }
    },

    /** Recordings whose text contains `needle`. */
    find(needle: string): Recording[] {
      return entries.filter((e) => e.text.includes(needle));
    },
  };
  return recorder;
}

export type Recorder = ReturnType<typeof createRecorder>;
