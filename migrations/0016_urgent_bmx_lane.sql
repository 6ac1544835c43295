-- Security round 3 (issue 29): the urgent BMX lane, and no secret kept in clear
-- for an Idempotency-Key replay.

-- BMX's events (calls, entries) and deleting the key of a pass whose last entry
-- was just used go on their own lane, never behind a backlog of issuances.
ALTER TABLE outbox DROP CONSTRAINT outbox_channel_check,
  ADD CONSTRAINT outbox_channel_check
    CHECK (channel IN ('email', 'sms', 'push', 'bmx', 'bmx_urgent', 'webhook'));

-- Answers kept for Idempotency-Keys no longer hold secrets that are shown once:
-- the ones kept before held webhook signing secrets in clear.
DELETE FROM idempotency_keys WHERE response_body LIKE '%"secret"%'
  OR response_body LIKE '%"api_key"%';
