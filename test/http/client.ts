import type { CaseRequest } from './cases.js';

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

export async function call(base: string, req: CaseRequest): Promise<Answer> {
  const res = await fetch(base + req.path, { method: req.method ?? 'GET', headers: req.headers, body: req.body });
  return { status: res.status, headers: res.headers, text: await res.text() };
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
