import type { ServerResponse } from 'node:http';
import type { HttpAnswer } from 'keysmith/http';

/** Writes a core answer as is (no ETag, no re-serialization), so every framework sends the same bytes. */
export function sendAnswer(res: ServerResponse, answer: HttpAnswer): void {
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  if (answer.body === null) {
    res.end();
    return;
  }
  res.setHeader('content-length', Buffer.byteLength(answer.body));
  res.end(answer.body);
}
