-- keysmith migration 001: the API key table.
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
