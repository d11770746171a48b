/**
 * The SQL of migrations/001_api_keys.sql, embedded so `migrate()` needs no file access after bundling.
 * Keep the two identical: test/stores/postgres-migrate.test.ts fails when they differ (paste the file
 * between the backticks; the SQL contains no backtick, backslash or "${").
 */
export const SQL_001_API_KEYS = `-- keysmith migration 001: the API key table.
-- Run it as it is (psql -f), or call migrate(client) from keysmith/postgres, which runs this
-- same text (with your table name in place of keysmith_api_keys) and records version 1.
CREATE TABLE IF NOT EXISTS "keysmith_api_keys" (
  -- Ids compare byte by byte (COLLATE "C"): exact matches, and "newest first, then id desc"
  -- orders keys created in the same millisecond the same way on every server.
  id            text COLLATE "C" PRIMARY KEY,
  tenant_id     text COLLATE "C" NOT NULL,
  name          text NOT NULL,
  prefix        text NOT NULL,
  preview       text NOT NULL,
  hash          text NOT NULL,
  scopes        jsonb NOT NULL DEFAULT '[]',
  roles         jsonb NOT NULL DEFAULT '[]',
  preset        text,
  resources     jsonb NOT NULL DEFAULT '{}',
  mcp           jsonb NOT NULL,
  enabled       boolean NOT NULL DEFAULT true,
  expires_at    timestamptz,
  revoked_at    timestamptz,
  revoked_by    text,
  created_at    timestamptz NOT NULL,
  created_by    text,
  updated_at    timestamptz,
  last_used_at  timestamptz,
  owner_id      text,
  ip_allowlist  jsonb NOT NULL DEFAULT '[]',
  -- Usage credits; NULL means unlimited.
  remaining     bigint,
  refill        jsonb,
  refilled_at   timestamptz,
  rate_limits   jsonb NOT NULL DEFAULT '[]',
  metadata      jsonb NOT NULL DEFAULT '{}',
  -- Bumped by every update and by revoke, for optimistic concurrency.
  version       integer NOT NULL DEFAULT 1
);

-- Listing one tenant's keys, newest first.
CREATE INDEX IF NOT EXISTS "keysmith_api_keys_tenant_list_idx"
  ON "keysmith_api_keys" (tenant_id, created_at DESC, id DESC);
`;

/** The SQL of migrations/002_require_mapping.sql (kept identical the same way). */
export const SQL_002_REQUIRE_MAPPING = `-- keysmith migration 002: per-key fail-closed resource mapping (requireMapping).
-- false: the keyring's option alone decides; true: every resource kind; a JSON array: those kinds.
ALTER TABLE "keysmith_api_keys" ADD COLUMN IF NOT EXISTS require_mapping jsonb NOT NULL DEFAULT 'false';
`;

/** The SQL of migrations/003_superseded_by.sql (kept identical the same way). */
export const SQL_003_SUPERSEDED_BY = `-- keysmith migration 003: a rotated-out key names its successor (supersededBy).
-- NULL until rotate hands the key over; set once, in the same statement that moves its credits.
ALTER TABLE "keysmith_api_keys" ADD COLUMN IF NOT EXISTS superseded_by text COLLATE "C";
`;
