-- Responses to creates sent with an Idempotency-Key, so a retried request gets
-- the first answer instead of creating twice (CONTRACT.md, Conventions).
CREATE TABLE idempotency_keys (
  scope text NOT NULL,         -- who asked: "user:<id>" or "panel:<id>"
  key text NOT NULL,
  request_hash text NOT NULL,  -- method, route and body of the first request
  status integer,              -- NULL while the first request is still running
  content_type text,
  response_body text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
