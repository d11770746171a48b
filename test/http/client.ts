import { request } from 'node:http';
import type { CaseRequest } from './cases.js';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

export async function call(base: string, req: CaseRequest): Promise<Answer> {
  if (Object.values(req.headers ?? {}).some(Array.isArray)) return callRaw(base, req);
  const res = await fetch(base + req.path, { method: req.method ?? 'GET', headers: req.headers as Record<string, string> | undefined, body: req.body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** node:http sends an array header as one line per value, as a hostile client or a proxy may. */
function callRaw(base: string, req: CaseRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const out = request(base + req.path, { method: req.method ?? 'GET', headers: req.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) for (const v of [value ?? []].flat()) headers.append(name, v);
        resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    out.on('error', reject);
    out.end(req.body);
  });
}

/** The parts of an answer that must match across frameworks (framework-specific headers such as x-powered-by left out). */
export function essentials(a: Answer): Record<string, unknown> {
  const h = (n: string) => a.headers.get(n);
  return {
    status: a.status,
    'content-type': h('content-type'),
    'cache-control': h('cache-control'),
    'www-authenticate': h('www-authenticate'),
    'retry-after': h('retry-after') === null ? null : 'present',
    allow: h('allow'),
    body: a.text,
  };
}
