import { memoryStore } from 'keysmith/memory';
import type { KeyStore } from 'keysmith';

/**
 * The store every example uses: embedded, nothing to install.
 * (Swapped for PGlite once keysmith/postgres lands.)
 */
export async function defaultStore(): Promise<KeyStore> {
  return memoryStore();
}
