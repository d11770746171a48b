import { KeysmithError } from '../errors/errors.js';

/** A role is a list of scopes, or scopes plus roles it inherits. */
export type RoleDefinition = string[] | { scopes?: string[]; inherits?: string[] };
export type RolesConfig = Record<string, RoleDefinition>;

/** Flattens every role's inheritance once, at keyring creation; a cycle or unknown parent is a config error. */
export function resolveRoles(config: RolesConfig = {}): Map<string, string[]> {
  const resolved = new Map<string, string[]>();
  const visiting = new Set<string>();

  const visit = (name: string, path: string[]): string[] => {
    const done = resolved.get(name);
    if (done) return done;
    if (!Object.hasOwn(config, name)) {
      throw new KeysmithError('CONFIG', `Role ${JSON.stringify(path.at(-1))} inherits unknown role ${JSON.stringify(name)}`);
    }
    if (visiting.has(name)) throw new KeysmithError('CONFIG', `Role inheritance cycle: ${[...path, name].join(' -> ')}`);
    visiting.add(name);
    const def = config[name]!;
    const own = Array.isArray(def) ? def : (def.scopes ?? []);
    const parents = Array.isArray(def) ? [] : (def.inherits ?? []);
    const scopes = new Set(own);
    for (const parent of parents) for (const s of visit(parent, [...path, name])) scopes.add(s);
    visiting.delete(name);
    const list = [...scopes];
    resolved.set(name, list);
    return list;
  };

  for (const name of Object.keys(config)) visit(name, []);
  return resolved;
}
