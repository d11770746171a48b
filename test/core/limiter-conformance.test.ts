import { describe, it } from 'vitest';
import { memoryLimiter } from 'keysmith';
import { runLimiterConformance } from 'keysmith/testing';

runLimiterConformance({ name: 'memory', createLimiter: () => memoryLimiter(), test: { describe, it } });
