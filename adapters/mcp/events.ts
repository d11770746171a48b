import type { KeysmithEvent } from 'keysmith';

/** Changes that may alter what a key's open MCP sessions may see. */
const KEY_CHANGES = new Set<KeysmithEvent['type']>(['key.updated', 'key.revoked', 'key.rotated']);

/**
 * Carries the keyring's key changes to guarded MCP servers, so that the open sessions of a
 * changed key receive `notifications/tools/list_changed`.
 *
 * @example
 * const keyEvents = mcpKeyEvents();
 * const keyring = createKeyring({ store, prefix: 'mcp', onEvent: keyEvents.listener });
 * guardMcpServer(server, keyring, { events: keyEvents, boundKey: req.auth });
 */
export interface McpKeyEvents {
  /** Pass as the keyring's `onEvent`, or call it from your own listener. */
  readonly listener: (event: KeysmithEvent) => void;
  /** Calls `onChange(keyId)` for each key change until the returned function is called. */
  subscribe(onChange: (keyId: string) => void): () => void;
  /** Number of live subscriptions (one per guarded server with `events`). */
  readonly size: number;
}

export function mcpKeyEvents(): McpKeyEvents {
  const subscribers = new Set<(keyId: string) => void>();
  return {
    listener(event) {
      if (!KEY_CHANGES.has(event.type) || !('keyId' in event) || event.keyId === null) return;
      for (const onChange of [...subscribers]) {
        try {
          onChange(event.keyId);
        } catch {
          // One session's failure must not keep the others from hearing about the change.
        }
      }
    },
    subscribe(onChange) {
      subscribers.add(onChange);
      return () => subscribers.delete(onChange);
    },
    get size() {
      return subscribers.size;
    },
  };
}
