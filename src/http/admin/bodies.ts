import { z } from 'zod';
import { MAX_VERSION } from '../../management/validation.js';

/** Fields of a create/update body that come from the session, never from the client. */
export const CALLER_FIELDS = ['tenantId', 'createdBy', 'actor', 'actorId'];

/**
 * `POST /keys/:id/toggle-active`: `{ enabled }` sets the state; without it the state flips.
 * `target: 'key'` (default) pauses the whole key; `'mcp'` pauses MCP access only (`mcp.enabled`).
 */
export const toggleBodySchema = z.strictObject({ enabled: z.boolean().optional(), target: z.enum(['key', 'mcp']).optional() });

/** `POST /keys/:id/rotate`: the old key's grace period, and the version last seen. */
export const rotateBodySchema = z.strictObject({
  graceMs: z
    .int()
    .min(0)
    .max(366 * 86_400_000)
    .optional()
    .describe('How long the old token keeps working, in milliseconds. @default 0'),
  version: z.int().min(1).max(MAX_VERSION).optional().describe('Rotate only if the key is still at this version (else 409)'),
});
