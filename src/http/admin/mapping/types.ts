import type { z } from 'zod';
import type { AdminAction } from '../routes.js';
import type { ApiKeyJson } from '../wire.js';

/** Plain JSON data. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A field of the key as the admin API knows it (`ApiKeyJson`: dates as ISO strings), as a dotted
 * path: `'name'`, `'mcp.tools.names'`, `'resources.project'`, `'metadata.scope'`. `'expiresIn'`
 * and `'enabled'`/`'version'` are accepted where keysmith accepts them (create, update).
 */
export type KeyPath =
  | Exclude<keyof ApiKeyJson, 'mcp' | 'resources' | 'metadata'>
  | 'mcp'
  | 'mcp.enabled'
  | 'mcp.readOnly'
  | 'mcp.tools'
  | 'mcp.tools.mode'
  | 'mcp.tools.names'
  | 'resources'
  | `resources.${string}`
  | 'metadata'
  | `metadata.${string}`
  | 'expiresIn';

/**
 * Converts one field both ways when a rename is not enough (one keysmith list shown as two wire
 * fields, a list shown as a flag). `schema` validates the wire value of a request (its issues are
 * answered 400 under the wire name) and documents the field in the OpenAPI document. keysmith still
 * validates what `write` returns, so a codec cannot smuggle in what the admin API refuses.
 * Ready-made codecs: `itemsWithPrefix`, `itemsWithoutPrefix`, `itemsExcept`, `containsItem`, `booleanFor`.
 */
export interface WireCodec<Wire = unknown, Key = unknown> {
  /** The wire value's schema. */
  schema: z.ZodType<Wire>;
  /** keysmith's value (undefined when the key has none) → the wire value. */
  read(value: Key | undefined): Wire;
  /** The wire value → keysmith's value. `current` is what the keysmith field holds so far: the key's on update, what other fields of the body wrote on create. */
  write(value: Wire, current: Key | undefined): Key;
}

/** Where a mapped field is accepted in request bodies. */
export type FieldWrites = boolean | 'create' | 'update';

/** One wire field: a keysmith path (a rename), the same with options, or a constant. */
export type MappedField =
  | KeyPath
  | {
      /** The keysmith field it shows and sets. */
      from: KeyPath;
      /** Sent when the key has nothing there (a resource kind or metadata entry it lacks). */
      default?: JsonValue;
      /** The wire value that stands for null, both ways (oCore sends `''` for "no preset"). On create it means "not given". */
      empty?: string | number | boolean;
      /** Converts the value both ways (see `WireCodec`). */
      codec?: WireCodec;
      /** Accepted in create bodies, update bodies, both (`true`), or neither (`false`). @default wherever keysmith accepts the field */
      writes?: FieldWrites;
      /** Only the answers of these actions carry it (Chordia's create answer has no `updated_at`). @default every answer */
      in?: readonly AdminAction[];
      /** Shown in the OpenAPI document. */
      description?: string;
    }
  | {
      /** Always this value in answers; never accepted in requests. */
      const: JsonValue;
      /** Only the answers of these actions carry it. @default every answer */
      in?: readonly AdminAction[];
      /** Shown in the OpenAPI document. */
      description?: string;
    };

/** HTTP methods a mapped route may use. */
export type MappedMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One action's route in the mapped API. */
export interface MappedRoute {
  method: MappedMethod;
  /**
   * The path below the mount. `:name` segments are parameters: the key id (`params.id`) and, for
   * the tenant's own actions, the tenant (`params.tenant`: the same rule as `/tenants/:tenantId`,
   * a super-admin any tenant, others only their own and 404 for another). Without a tenant
   * parameter the route acts on the caller's tenant.
   */
  path: string;
  /** The success status. @default the admin API's: 201 create and rotate, 204 revoke, 200 otherwise */
  status?: number;
  /** A fixed JSON body for a success that has none (revoke): `{ message: 'API key revoked' }`. */
  body?: JsonValue;
  /** `toggle` only: what an empty body pauses or resumes, the whole key or MCP access. @default 'key' */
  target?: 'key' | 'mcp';
  /**
   * `revoke` only: a soft revoke. It pauses the key (an update with `enabled: true` resumes it)
   * and answers 404 when the key is unknown, revoked or already paused.
   */
  soft?: boolean;
}

/** The `keyring.list` parameters a query parameter can set. */
export type ListParam = 'page' | 'limit' | 'search' | 'status' | 'includeRevoked' | 'includeExpired' | 'resource' | 'ownerId';

/** A list query parameter with its values translated. */
export interface MappedQueryParam {
  /** The list parameter it sets. */
  to: ListParam;
  /** Wire value → keysmith value; any other value is a 400. */
  values?: Record<string, string>;
  /** Wire values that mean "not given", so `default` (or keysmith's own default) applies: oCore's `page=0`, `limit=0`. */
  ignore?: readonly string[];
  /** The wire value assumed when the parameter is absent. */
  default?: string;
  /** Shown in the OpenAPI document. */
  description?: string;
}

/**
 * An existing API's shape laid over the admin API: its routes, field names, envelopes and status
 * codes. Every rule of the admin API still holds (tenant isolation, no escalation, body limits,
 * strict validation): a mapped request is translated, served by the same handler, and its answer
 * translated back. Validation issues name the wire fields; the token appears only in the answers
 * of create and rotate; the OpenAPI document describes the mapped shape.
 */
export interface AdminMapping {
  /** The routes served, by action; an action left out is not served (404). */
  routes: Partial<Record<AdminAction, MappedRoute>>;
  /** Names of the path parameters in `routes`. @default { id: 'id', tenant: 'tenantId' } */
  params?: { id?: string; tenant?: string };
  /**
   * keysmith fields shown and accepted under their own names, written in `case`
   * (`['id', 'name', 'createdAt']` is `id`, `name`, `created_at` in snake case). They come first in answers.
   */
  keep?: readonly Exclude<KeyPath, `${string}.${string}` | 'expiresIn'>[];
  /** How the names in `keep` are written. @default 'camel' (keysmith's own) */
  case?: 'camel' | 'snake';
  /** The other fields by wire name, in answer order. Fields neither kept nor listed are neither sent nor accepted. */
  fields?: Record<string, MappedField>;
  /** Request bodies with other fields: 400 (`'reject'`) or dropped (`'ignore'`, so a client may send back what it read). @default 'reject' */
  unknownFields?: 'reject' | 'ignore';
  /** get, update and toggle answer 404 for a revoked key, as if it were gone. @default false */
  hideRevoked?: boolean;
  /** List query parameters by wire name: a list parameter's name, or a translation. @default keysmith's own names */
  query?: Record<string, ListParam | MappedQueryParam>;
  /** The list answer's field names; `false` leaves one out. @default { items: 'items', total: 'total', page: 'page', limit: 'limit' } */
  list?: { items?: string; total?: string | false; page?: string | false; limit?: string | false };
  /**
   * The create (and rotate) answer: the token's field name, and the key's (`false`: the token
   * sits beside the key's own fields, as in `{ id, name, …, plaintextKey }`).
   * @default { key: 'key', token: 'token' }
   */
  created?: { key?: string | false; token?: string };
}
