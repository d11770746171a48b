-- keysmith migration 003: a rotated-out key names its successor (supersededBy).
-- NULL until rotate hands the key over; set once, in the same statement that moves its credits.
ALTER TABLE "keysmith_api_keys" ADD COLUMN IF NOT EXISTS superseded_by text COLLATE "C";
