import { errorAnswer, type HttpAnswer } from './answer.js';
import type { HeaderReader } from './credentials.js';

/** Admin request bodies larger than this answer 413. */
export const MAX_BODY_BYTES = 64 * 1024;

/** A request body as an adapter has it. */
export type BodySource =
  | { kind: 'none' }
  /** The raw stream (a Node request, a Fetch `ReadableStream`): read here, with the limit. */
  | { kind: 'stream'; stream: ByteSource }
  /** Bytes the framework already read with `readLimited` (Fastify's content-type parser). */
  | { kind: 'read'; result: LimitedRead }
  /** An upstream body parser (e.g. `express.json()`) already consumed and parsed it. */
  | { kind: 'parsed'; value: unknown };

/** How long an admin request body may take to arrive, in all, from the first read. */
export const BODY_TIMEOUT_MS = 10_000;

/**
 * `abandoned`: reading stopped past the drain allowance, so the connection cannot be reused.
 * `incomplete`: the body did not arrive within the time allowed (`timeout`), or the client went
 * away mid-body (`aborted`) — the client's doing, never a server fault.
 */
export type LimitedRead =
  | { tooLarge: false; bytes: Uint8Array; incomplete?: undefined }
  | { tooLarge: true; abandoned?: boolean; incomplete?: undefined }
  | { tooLarge: false; incomplete: 'timeout' | 'aborted' };

export type BodyResult = { ok: true; value: unknown } | { ok: false; answer: HttpAnswer };

/** What `readLimited` reads: a Node stream (async iterable), a Fetch `ReadableStream`, or chunks in hand. */
export type ByteSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> | ReadableStream<Uint8Array>;

async function* chunksOf(source: ByteSource): AsyncGenerator<Uint8Array | string> {
  if ('getReader' in source) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      // Giving up early (far too large) cancels the stream.
      reader.cancel().catch(() => undefined);
    }
  }
  yield* source;
}

/** Past the limit a body is drained (not kept) up to this much, so the client still gets its 413. */
const DRAIN_CAP = 1024 * 1024;

/**
 * Reads a body, keeping at most `limit` bytes, within `timeoutMs` in all (a body dripped a byte at a
 * time is as late as one that stopped). Over the limit it drains what the client sends without
 * keeping it (as body-parser does): stopping at once would reset the connection and the client
 * would never see the 413. Past `DRAIN_CAP` it gives up and the stream is closed. A source that
 * fails (the client aborted) gives `incomplete: 'aborted'`; this function never throws for it.
 */
export async function readLimited(source: ByteSource, limit: number = MAX_BODY_BYTES, timeoutMs: number = BODY_TIMEOUT_MS): Promise<LimitedRead> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const iterator = chunksOf(source);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(resolve, timeoutMs, 'timeout');
  });
  try {
    for (;;) {
      const next = iterator.next();
      const step = await Promise.race([next, deadline]);
      if (step === 'timeout') {
        // Stop waiting without destroying the stream, so the 408 can still be written; the
        // adapter's `Connection: close` then frees the socket. The pending read settles then.
        next.catch(() => undefined);
        return { tooLarge: false, incomplete: 'timeout' };
      }
      if (step.done) break;
      const bytes = typeof step.value === 'string' ? new TextEncoder().encode(step.value) : step.value;
      size += bytes.byteLength;
      if (size > limit + DRAIN_CAP) {
        await iterator.return(undefined).catch(() => undefined);
        return { tooLarge: true, abandoned: true };
      }
      if (size <= limit) chunks.push(bytes);
    }
  } catch {
    return { tooLarge: false, incomplete: 'aborted' };
  } finally {
    clearTimeout(timer);
  }
  if (size > limit) return { tooLarge: true };
  const all = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.byteLength;
  }
  return { tooLarge: false, bytes: all };
}

/** With `close`, the rest of the body was never read: `Connection: close` so the socket is not reused mid-body. */
const tooLargeAnswer = (limit: number, close = false): HttpAnswer =>
  errorAnswer(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes`, close ? { headers: { connection: 'close' } } : {});
/**
 * The answer to a body that never finished: 408 when it was too slow; for a client that went away
 * mid-body, a 400 nobody reads (the adapter still ends the exchange cleanly, and no error is
 * reported: it is the client's doing). Both close the connection, as the rest may still come.
 */
export function incompleteBodyAnswer(why: 'timeout' | 'aborted', timeoutMs: number): HttpAnswer {
  const close = { headers: { connection: 'close' } };
  return why === 'timeout'
    ? errorAnswer(408, 'REQUEST_TIMEOUT', `The request body did not arrive within ${timeoutMs} ms`, close)
    : errorAnswer(400, 'REQUEST_ABORTED', 'The request body was cut off', close);
}
const malformedJsonAnswer = (): HttpAnswer => errorAnswer(400, 'MALFORMED_JSON', 'The request body is not valid JSON');
const unsupportedMediaAnswer = (): HttpAnswer => errorAnswer(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json');

/** `application/json` or any `+json` type. Requiring it also keeps cross-site HTML forms out (no CORS-free CSRF). */
function isJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function headerText(read: HeaderReader, name: string): string | undefined {
  const v = read(name);
  return Array.isArray(v) ? v[0] : (v ?? undefined);
}

/**
 * The JSON value of a request body (undefined when there is none). Answers 413 over the limit, 415
 * for another media type, 400 for malformed JSON. Parse errors are not echoed: their text quotes
 * the body, which may hold a token.
 */
export async function readJsonBody(
  source: BodySource,
  header: HeaderReader,
  limit: number = MAX_BODY_BYTES,
  timeoutMs: number = BODY_TIMEOUT_MS,
): Promise<BodyResult> {
  const length = Number(headerText(header, 'content-length'));
  // Answered before the body is read: announce the close, since servers may drop the unread rest.
  if (Number.isFinite(length) && length > limit) return { ok: false, answer: tooLargeAnswer(limit, true) };
  const contentType = headerText(header, 'content-type');
  if (source.kind === 'none') return { ok: true, value: undefined };
  if (source.kind === 'parsed') {
    if (source.value === undefined) return { ok: true, value: undefined };
    return isJson(contentType) ? { ok: true, value: source.value } : { ok: false, answer: unsupportedMediaAnswer() };
  }
  const read = source.kind === 'read' ? source.result : await readLimited(source.stream, limit, timeoutMs);
  if (read.incomplete !== undefined) return { ok: false, answer: incompleteBodyAnswer(read.incomplete, timeoutMs) };
  if (read.tooLarge) return { ok: false, answer: tooLargeAnswer(limit, read.abandoned === true) };
  if (read.bytes.byteLength === 0) return { ok: true, value: undefined };
  if (!isJson(contentType)) return { ok: false, answer: unsupportedMediaAnswer() };
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(read.bytes)) };
  } catch {
    return { ok: false, answer: malformedJsonAnswer() };
  }
}
