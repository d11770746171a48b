import { describe, expect, it } from 'vitest';
import { makeClient, type AdminAnswer } from './admin-client.js';
import { ADMIN_CASES } from './admin-cases.js';
import { FRAMEWORKS } from './apps.js';
import { essentials } from './client.js';
import { useAllFrameworks } from './running.js';

describe('admin API: one table, three frameworks over real HTTP', () => {
  const running = useAllFrameworks();

  for (const c of ADMIN_CASES) {
    it(c.name, async () => {
      const recorded = new Map<string, Map<string, Record<string, unknown>>>();
      for (const { name, app, fx } of running) {
        const same = (label: string, answer: AdminAnswer) => {
          if (!recorded.has(label)) recorded.set(label, new Map());
          recorded.get(label)!.set(name, essentials(answer));
        };
        try {
          await c.run({ framework: name, fx, admin: makeClient(app.url), same });
        } catch (error) {
          throw new Error(`[${name}] ${(error as Error).message}`, { cause: error });
        }
      }
      for (const [label, byFramework] of recorded) {
        const [first, ...rest] = [...byFramework.values()];
        expect(byFramework.size, label).toBe(FRAMEWORKS.length);
        for (const other of rest) expect(other, label).toEqual(first);
      }
    });
  }
});
