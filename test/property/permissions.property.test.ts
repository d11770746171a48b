import { policyOf } from '../../src/keyring.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canAccess, createKeyring, isKeysmithError, type ApiKey } from 'keysmith';
import { covers } from '../../src/permissions/scopes.js';
import { memoryStore } from 'keysmith/memory';
import { runs } from '../support/runs.js';

/** Brute-force reference: a granted scope as a regular expression over concrete scopes. */
function reference(granted: string): RegExp {
  if (granted === '*') return /^.+$/;
  const segs = granted.split(':');
  const body = segs.map((s, i) => (s === '*' ? (i === segs.length - 1 ? '[^:]+(?::[^:]+)*' : '[^:]+') : s.replace(/[.-]/g, '\\$&'))).join(':');
  return new RegExp(`^${body}$`);
}

const segment = fc.constantFrom('a', 'b', 'c');
const concrete = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join(':'));
const pattern = fc.oneof(
  concrete,
  fc.constant('*'),
  fc.array(fc.constantFrom('a', 'b', 'c', '*'), { minLength: 1, maxLength: 3 }).map((s) => s.join(':')),
);
/** Every concrete scope of up to 3 segments over {a,b,c}: the universe the reference checks against. */
const universe: string[] = [];
for (const x of ['a', 'b', 'c']) {
  universe.push(x);
  for (const y of ['a', 'b', 'c']) {
    universe.push(`${x}:${y}`);
    for (const z of ['a', 'b', 'c']) universe.push(`${x}:${y}:${z}`);
  }
}

describe('wildcard scope matching agrees with a brute-force reference', () => {
  it('for concrete scopes, covers() is exactly the reference match', () => {
    fc.assert(
      fc.property(pattern, concrete, (g, c) => {
        expect(covers(g, c)).toBe(reference(g).test(c));
      }),
      { numRuns: runs(4_000, 20_000) },
    );
  });

  it('for wildcard requests, covers() never claims more than the reference allows', () => {
    fc.assert(
      fc.property(pattern, pattern, (g, p) => {
        if (covers(g, p)) {
          for (const c of universe) if (reference(p).test(c)) expect(reference(g).test(c), `${g} ⊇ ${p} at ${c}`).toBe(true);
        }
      }),
      { numRuns: runs(4_000, 20_000) },
    );
  });
});

describe('no escalation (property)', () => {
  const scopes = fc.array(pattern, { maxLength: 4 });
  const ids = fc.array(fc.constantFrom('p1', 'p2', 'p3', '*'), { maxLength: 3 });
  const resources = fc.option(fc.record({ project: ids }), { nil: undefined });

  it('a key created or updated by an actor never grants a scope or resource the actor lacks', async () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', roles: { R1: ['a:*'], R2: { scopes: ['b:c'], inherits: ['R1'] } } });
    await fc.assert(
      fc.asyncProperty(
        scopes,
        resources,
        scopes,
        fc.array(fc.constantFrom('R1', 'R2'), { maxLength: 2 }),
        resources,
        fc.boolean(),
        async (actorScopes, actorResources, keyScopes, roles, keyResources, viaUpdate) => {
          const actor = { scopes: actorScopes, ...(actorResources ? { resources: actorResources } : {}) };
          let result: ApiKey;
          try {
            if (viaUpdate) {
              const { key } = await keyring.create({ tenantId: 't', name: 'base', scopes: [], resources: { project: ['p1'] } });
              const key2 = await keyring.update('t', key.id, { scopes: keyScopes, roles, ...(keyResources ? { resources: keyResources } : {}), actor });
              result = key2;
            } else {
              result = (
                await keyring.create({ tenantId: 't', name: 'k', scopes: keyScopes, roles, ...(keyResources ? { resources: keyResources } : {}), actor })
              ).key;
            }
          } catch (e) {
            expect(isKeysmithError(e) && (e.code === 'ESCALATION' || e.code === 'VALIDATION')).toBe(true);
            return;
          }
          const effective = policyOf(keyring).permissionsOf(result);
          const actorPerms = { ...effective, scopes: actorScopes, resources: actorResources ?? {} };
          for (const c of universe) {
            if (effective.scopes.some((s) => covers(s, c)))
              expect(
                actorScopes.some((s) => covers(s, c)),
                `scope ${c}`,
              ).toBe(true);
          }
          for (const id of ['p1', 'p2', 'p3', 'p4']) {
            if (canAccess(effective, 'project', id)) expect(canAccess(actorPerms, 'project', id), `project ${id}`).toBe(true);
          }
        },
      ),
      { numRuns: runs(1_000, 3_000) },
    );
  }, 60_000);
});
