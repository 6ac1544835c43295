-- Every table has one owning module (docs/tables.md). What another module needs
-- of a table it does not own, the owner publishes here: a view to read, or a
-- function for the one write another module must make in its own statement.
-- A column renamed in a table is renamed in its owner's views in the same
-- migration, so no other module's SQL breaks. Plain views are inlined by the
-- planner: a statement reading them has the plan it had on the tables.

-- properties: a property's rules, its units' labels and its panels.
CREATE VIEW property_rules AS
  SELECT id, name, site_name, time_zone, allow_visitor_access, property_only_visitor_max_hours,
         ring_timeout_seconds
  FROM properties;
CREATE VIEW unit_labels AS SELECT id, property_id, label FROM units;
-- Every panel, revoked ones included: a call keeps its panel's name.
CREATE VIEW panel_profiles AS
  SELECT id, property_id, name, bmx_device_id, bmx_access_point_id, created_at, revoked_at
  FROM panels;
-- What signs a panel in: only panels that are not revoked.
CREATE VIEW panel_keys AS
  SELECT id, property_id, key_hash FROM panels WHERE revoked_at IS NULL;
-- The BMX door a panel opens, learnt on its first door release.
CREATE FUNCTION panel_learn_door(panel uuid, access_point bigint) RETURNS void
  LANGUAGE sql AS $$ UPDATE panels SET bmx_access_point_id = access_point WHERE id = panel $$;

-- people: who lives here now, and their phones.
CREATE VIEW current_residents AS
  SELECT id, property_id, unit_id, user_id, first_name, last_name, directory_display_name,
         directory_listed, email, phone
  FROM residencies WHERE moved_out_at IS NULL;
CREATE VIEW device_tokens AS
  SELECT id, user_id, platform, push_token, voip_token, bmx_app_installed FROM devices;
-- The push provider's answer for a device; a token it no longer knows is forgotten.
CREATE FUNCTION device_pushed(device uuid, outcome text) RETURNS void
  LANGUAGE sql AS $$
    UPDATE devices SET last_push_at = now(), last_push_outcome = outcome WHERE id = device $$;
CREATE FUNCTION device_forget(device uuid) RETURNS void
  LANGUAGE sql AS $$ DELETE FROM devices WHERE id = device $$;

-- auth: the name a person chose for their account.
CREATE VIEW person_names AS SELECT id, display_name FROM users;

-- bmx: how a linked resident wants BMX to reach them.
CREATE VIEW bmx_contact_preferences AS
  SELECT user_id, property_id, contact_preference FROM bmx_links;

-- visitors: who is expected, and when.
CREATE VIEW visit_windows AS
  SELECT id, property_id, host_user_id, name, email, starts_at, ends_at FROM visitors;

-- passes: where a visitor's pass stands.
CREATE VIEW pass_states AS
  SELECT visitor_id, status, failure_code, failure_reason, arrived_at FROM passes;

-- audit: one event in the trail, written in the caller's statement.
CREATE FUNCTION audit_record(property uuid, actor text, action text, subject_type text,
                             subject_id text, details jsonb) RETURNS void
  LANGUAGE sql AS $$
    INSERT INTO audit_events (property_id, actor, action, subject_type, subject_id, details)
    VALUES ($1, $2, $3, $4, $5, $6) $$;

-- notify: queue a message once (by its dedupe key) and wake the lane that
-- delivers it, or the urgent path, on commit. Returns the message's id, or NULL
-- when a message with that key was queued before.
CREATE FUNCTION outbox_enqueue(channel text, dedupe_key text, payload jsonb, urgent boolean)
  RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  queued uuid;
BEGIN
  INSERT INTO outbox (channel, dedupe_key, payload, urgent)
  VALUES (outbox_enqueue.channel, outbox_enqueue.dedupe_key, outbox_enqueue.payload,
          outbox_enqueue.urgent)
  ON CONFLICT ON CONSTRAINT outbox_dedupe_key_key DO NOTHING
  RETURNING id INTO queued;
  IF queued IS NOT NULL THEN
    PERFORM pg_notify('frontdoor_outbox', CASE WHEN outbox_enqueue.urgent THEN 'urgent:' || queued
                                               ELSE 'lane:' || outbox_enqueue.channel END);
  END IF;
  RETURN queued;
END $$;
