import type { IncomingMessage, ServerResponse } from 'node:http';
import { BODY_TIMEOUT_MS, errorAnswer, incompleteBodyAnswer, jsonAnswer, readLimited, type HttpAnswer, type LimitedRead } from 'keysmith/http';

/** Largest MCP message body read (the SDK's own transport limit). */
const MAX_MCP_BODY_BYTES = 4 * 1024 * 1024;

/**
 * A protocol-level refusal (no session, unknown session, unreadable message): a JSON-RPC error
 * without id, as the MCP Streamable HTTP transport answers them. Key refusals use keysmith's
 * `{ error: { code, message } }` body instead, like every keysmith HTTP adapter.
 */
function jsonRpcAnswer(status: number, code: number, message: string): HttpAnswer {
  return jsonAnswer(status, { jsonrpc: '2.0', error: { code, message }, id: null });
}

export const NO_SESSION = jsonRpcAnswer(400, -32000, 'Bad Request: No valid session ID provided; send initialize first');
export const UNKNOWN_SESSION = jsonRpcAnswer(404, -32001, 'Session not found');
const PARSE_ERROR = jsonRpcAnswer(400, -32700, 'Parse error: Invalid JSON');
const TOO_LARGE = jsonRpcAnswer(413, -32000, `Payload too large: at most ${MAX_MCP_BODY_BYTES} bytes`);

/**
 * A session named by a request that carries another key: 403. Not 401 (the key itself is fine)
 * and no `WWW-Authenticate`: no other token would help.
 */
export const SESSION_KEY_MISMATCH = errorAnswer(403, 'SESSION_KEY_MISMATCH', 'This session was opened by another API key');

/** Too many open sessions for one key. */
export const TOO_MANY_SESSIONS = errorAnswer(429, 'TOO_MANY_SESSIONS', 'This API key has too many open MCP sessions; close one (DELETE) first');

export function toResponse(answer: HttpAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

export function sendAnswer(res: ServerResponse, answer: HttpAnswer): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body ?? undefined);
}

export type ParsedBody = { ok: true; value: unknown } | { ok: false; answer: HttpAnswer };

function parse(bytes: Uint8Array): ParsedBody {
  if (bytes.byteLength === 0) return { ok: false, answer: PARSE_ERROR };
  try {
    return { ok: true, value: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch {
    // The parser's text quotes the body, which may hold secrets: never echoed.
    return { ok: false, answer: PARSE_ERROR };
  }
}

/** A body read with the limit and the time allowed (408 when too slow; a client that left is no error). */
function fromRead(read: LimitedRead): ParsedBody {
  if (read.incomplete !== undefined) return { ok: false, answer: incompleteBodyAnswer(read.incomplete, BODY_TIMEOUT_MS) };
  return read.tooLarge ? { ok: false, answer: TOO_LARGE } : parse(read.bytes);
}

/** The JSON body of a POST, from a Fetch `Request`. */
export async function fetchBody(request: Request): Promise<ParsedBody> {
  if (!request.body || request.bodyUsed) return { ok: false, answer: PARSE_ERROR };
  return fromRead(await readLimited(request.body, MAX_MCP_BODY_BYTES));
}

/** The JSON body of a POST from Node: what a body parser (`express.json()`) left, or the stream. */
export async function nodeBody(req: IncomingMessage & { body?: unknown }): Promise<ParsedBody> {
  if (req.body !== undefined) return { ok: true, value: req.body };
  if (req.readableEnded) return { ok: false, answer: PARSE_ERROR };
  return fromRead(await readLimited(req, MAX_MCP_BODY_BYTES));
}
