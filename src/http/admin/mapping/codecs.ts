import { z } from 'zod';
import type { WireCodec } from './types.js';

const strings = z.array(z.string()).max(1000);

/**
 * The items of a list that start with `prefix`, shown without it; writing them keeps the other
 * items. oCore's `mcpPermissions` are the scopes named `mcp:<permission>`:
 * `mcpPermissions: { from: 'scopes', codec: itemsWithPrefix('mcp:') }`.
 */
export function itemsWithPrefix(prefix: string): WireCodec<string[], string[]> {
  return {
    schema: strings,
    read: (value = []) => value.filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length)),
    write: (value, current = []) => [...current.filter((s) => !s.startsWith(prefix)), ...value.map((s) => prefix + s)],
  };
}

/** The items of a list that do not start with `prefix`; writing them keeps the prefixed ones. The other half of `itemsWithPrefix`. */
export function itemsWithoutPrefix(prefix: string): WireCodec<string[], string[]> {
  return {
    schema: strings,
    read: (value = []) => value.filter((s) => !s.startsWith(prefix)),
    write: (value, current = []) => [...value, ...current.filter((s) => s.startsWith(prefix))],
  };
}

/** The items of a list other than `excluded`; writing them keeps whichever of `excluded` the list held. Chordia's `allowed_agents` beside `is_supervisor`. */
export function itemsExcept(...excluded: string[]): WireCodec<string[], string[]> {
  return {
    schema: strings,
    read: (value = []) => value.filter((s) => !excluded.includes(s)),
    write: (value, current = []) => [...current.filter((s) => excluded.includes(s)), ...value.filter((s) => !excluded.includes(s))],
  };
}

/** Whether a list holds `item`, as a boolean; writing adds or removes it. Chordia's `is_supervisor` is `"*"` in `resources.agent`. */
export function containsItem(item: string): WireCodec<boolean, string[]> {
  return {
    schema: z.boolean(),
    read: (value = []) => value.includes(item),
    write: (value, current = []) => (value ? [item, ...current.filter((s) => s !== item)] : current.filter((s) => s !== item)),
  };
}

/**
 * A boolean for a field with two values: `true` ↔ `on`, `false` ↔ `off` (reading, anything but
 * `off` is true). Chordia's `require_mapping`: `booleanFor(['agent'], false)` on `requireMapping`.
 */
export function booleanFor<On, Off>(on: On, off: Off): WireCodec<boolean, On | Off> {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return {
    schema: z.boolean(),
    read: (value) => value !== undefined && !same(value, off),
    write: (value) => (value ? on : off),
  };
}
