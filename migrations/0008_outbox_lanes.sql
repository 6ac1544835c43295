-- Outbox lanes (issue 14): one lane per channel, each claiming only its own
-- rows; time-critical messages (a ring, "stop ringing", a door result) on an
-- urgent path of their own; a lease kept apart from the retry time, so that due
-- work can be pulled forward when a channel recovers without touching rows in
-- flight; and the columns the retention sweep needs.
ALTER TABLE outbox ADD COLUMN urgent boolean NOT NULL DEFAULT false,
  ADD COLUMN lease_until timestamptz,
  ADD COLUMN finished_at timestamptz;
UPDATE outbox SET finished_at = coalesce(sent_at, now()) WHERE status <> 'pending';
ALTER TABLE outbox DROP CONSTRAINT outbox_channel_check,
  ADD CONSTRAINT outbox_channel_check
    CHECK (channel IN ('email', 'sms', 'push', 'bmx', 'webhook'));
DROP INDEX outbox_due;
CREATE INDEX outbox_lane_due ON outbox (channel, next_attempt_at)
  WHERE status = 'pending' AND NOT urgent;
CREATE INDEX outbox_urgent_due ON outbox (next_attempt_at) WHERE status = 'pending' AND urgent;
CREATE INDEX outbox_finished ON outbox (finished_at) WHERE status <> 'pending';

-- What the retention sweep looks for, without a scan.
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);
CREATE INDEX invite_tokens_expiry ON invite_tokens (expires_at);
CREATE INDEX login_failures_window ON login_failures (window_start);
CREATE INDEX bmx_link_states_expiry ON bmx_link_states (expires_at);
