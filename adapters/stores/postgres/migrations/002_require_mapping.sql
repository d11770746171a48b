-- keysmith migration 002: per-key fail-closed resource mapping (requireMapping).
-- false: the keyring's option alone decides; true: every resource kind; a JSON array: those kinds.
ALTER TABLE "keysmith_api_keys" ADD COLUMN IF NOT EXISTS require_mapping jsonb NOT NULL DEFAULT 'false';
