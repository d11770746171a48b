import type { FieldIssue } from '../errors/errors.js';
import type { ApiKeyRecord, KeyPatch } from '../store/record.js';

/**
 * Whether `patch` sets anything a superseded key refuses to lengthen: an expiry, a resume, credits,
 * a refill. Judged against what a rotation could make of the key, not against the key as read: a
 * key with no expiry gets one when it is rotated out. Such an update is pinned to the version it
 * checked, so a rotation landing in between fails it (409) instead of letting it revive the
 * rotated-out key.
 */
export function touchesLife(patch: KeyPatch): boolean {
  return patch.expiresAt !== undefined || patch.enabled === true || patch.remaining !== undefined || (patch.refill !== undefined && patch.refill !== null);
}

/**
 * What an update may not do to a key that `rotate` has superseded (issue 12, item 2): its expiry
 * (the end of its grace period) only moves earlier, it is never resumed, and its credits — handed
 * to the successor — never come back. Renaming, narrowing, pausing and an earlier expiry are fine.
 * Empty for a key that was never rotated out.
 */
export function supersededIssues(current: ApiKeyRecord, patch: KeyPatch, expiryPath: 'expiresAt' | 'expiresIn'): FieldIssue[] {
  if (current.supersededBy === null) return [];
  const why = `The key was rotated (its successor is ${current.supersededBy})`;
  const issues: FieldIssue[] = [];
  const { expiresAt, enabled, remaining, refill } = patch;
  if (expiresAt !== undefined && (expiresAt === null || current.expiresAt === null || expiresAt > current.expiresAt))
    issues.push({ path: [expiryPath], message: `${why}: its expiry may only move earlier` });
  if (enabled === true && !current.enabled) issues.push({ path: ['enabled'], message: `${why}: it cannot be resumed; resume its successor instead` });
  if (remaining !== undefined && (remaining === null || (current.remaining !== null && remaining > current.remaining)))
    issues.push({ path: ['remaining'], message: `${why}: its credits moved to the successor and may only go down` });
  if (refill !== undefined && refill !== null) issues.push({ path: ['refill'], message: `${why}: its credits moved to the successor; it takes no refill` });
  return issues;
}
