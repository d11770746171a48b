import { describe, it } from 'vitest';
import { memoryStore } from 'keysmith/memory';
import { runStoreConformance } from 'keysmith/testing';

runStoreConformance({ name: 'memory', createStore: () => ({ store: memoryStore() }), test: { describe, it } });
