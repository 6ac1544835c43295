-- Security review (issue 12): what a manager sends at move-in is the
-- residency's own, move-out ends door control, logins slow an address down
-- rather than lock it out, and a person may live at several properties.

-- The contact details a property's manager entered. They belong to that
-- residency: the account's own phone (and other residencies) stay untouched and
-- are never shown to another property.
ALTER TABLE residencies ADD COLUMN email text CHECK (email = lower(email)),
  ADD COLUMN phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$');
UPDATE residencies r SET email = u.email, phone = u.phone FROM users u WHERE u.id = r.user_id;
ALTER TABLE residencies ALTER COLUMN email SET NOT NULL;

-- An answered call ends by itself at this time (calls.max_accepted_seconds).
ALTER TABLE calls ADD COLUMN accepted_until timestamptz;
UPDATE calls SET accepted_until = answered_at + interval '5 minutes' WHERE state = 'accepted';
CREATE INDEX calls_accepted_due ON calls (accepted_until) WHERE state = 'accepted';
CREATE INDEX calls_current_by_resident ON calls (resident_user_id, property_id)
  WHERE state IN ('ringing', 'accepted');

-- An address past its failure limit waits a moment after each failure.
ALTER TABLE login_failures ADD COLUMN last_failure_at timestamptz NOT NULL DEFAULT now();

-- One BMX link per residency, not per person: someone who lives at two
-- properties links each. The sign-in state names the property it is for.
ALTER TABLE bmx_links DROP CONSTRAINT bmx_links_pkey, ADD PRIMARY KEY (user_id, property_id);
DELETE FROM bmx_link_states;
ALTER TABLE bmx_link_states ADD COLUMN property_id uuid NOT NULL REFERENCES properties (id);

-- A message that could no longer matter when its turn came (a ring for a call
-- that stopped ringing) is dropped as expired: not sent, not a dead letter.
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check,
  ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'dead', 'expired'));
