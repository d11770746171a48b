import { expect } from 'vitest';
import type { Fixture } from './fixture.js';

export interface AdminAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body (undefined when empty). */
  json: any;
}

export interface AdminCall {
  method?: string;
  path: string;
  /** A session name from actors.ts (sent as x-actor). */
  as?: string;
  /** An API key (sent as Authorization: Bearer). */
  key?: string;
  /** A value to send as JSON, or raw text with `raw`. */
  body?: unknown;
  raw?: BodyInit;
  headers?: Record<string, string>;
}

export interface ScenarioContext {
  framework: string;
  fx: Fixture;
  admin(req: AdminCall): Promise<AdminAnswer>;
  /** Records an answer that must be identical (status, headers that matter, body) in every framework. */
  same(label: string, answer: AdminAnswer): void;
}

export function makeClient(base: string) {
  return async (req: AdminCall): Promise<AdminAnswer> => {
    const headers: Record<string, string> = { ...req.headers };
    if (req.as) headers['x-actor'] = req.as;
    if (req.key) headers.authorization = `Bearer ${req.key}`;
    let body: BodyInit | undefined = req.raw;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] ??= 'application/json';
    }
    const init: RequestInit & { duplex?: 'half' } = { method: req.method ?? 'GET', headers, body };
    if (body instanceof ReadableStream) init.duplex = 'half';
    const res = await fetch(base + req.path, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: text === '' ? undefined : JSON.parse(text) };
  };
}

/** Asserts an error answer's status and code, and that it has keysmith's one error shape. */
export function expectError(a: AdminAnswer, status: number, code: string): void {
  const where = `${a.status} ${a.text}`;
  expect(a.status, where).toBe(status);
  expect(a.headers.get('content-type'), where).toBe('application/json; charset=utf-8');
  expect(a.json?.error?.code, where).toBe(code);
  expect(typeof a.json?.error?.message, where).toBe('string');
}
