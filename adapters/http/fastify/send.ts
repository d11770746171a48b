import type { FastifyReply } from 'fastify';
import type { HttpAnswer } from 'keysmith/http';

/** Sends a core answer verbatim: the body is already JSON text, so Fastify does not serialize it again. */
export function sendAnswer(reply: FastifyReply, answer: HttpAnswer): FastifyReply {
  reply.code(answer.status).headers(answer.headers);
  return answer.body === null ? reply.send() : reply.send(answer.body);
}
