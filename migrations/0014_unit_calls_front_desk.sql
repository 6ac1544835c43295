-- Calls for a whole unit, and a front desk that answers what nobody else did
-- (issue 18).

-- properties: whether the panel lists residents or units, and whether an
-- unanswered call goes on to the property's staff.
ALTER TABLE properties
  ADD COLUMN directory_mode text NOT NULL DEFAULT 'residents'
    CHECK (directory_mode IN ('residents', 'units')),
  ADD COLUMN front_desk_fallback boolean NOT NULL DEFAULT false;

CREATE OR REPLACE VIEW property_rules AS
  SELECT id, name, site_name, time_zone, allow_visitor_access, property_only_visitor_max_hours,
         ring_timeout_seconds, max_active_passes_per_resident, max_passes_per_resident_per_day,
         directory_mode, front_desk_fallback
  FROM properties;

-- A unit's label search for the panel in units mode, like the name indexes of 0006.
CREATE INDEX units_directory_label ON units
  (property_id, directory_fold(label) text_pattern_ops);

-- auth: who works at a property now (a removed staff member's role is deleted).
CREATE VIEW property_staff AS
  SELECT user_id, property_id, role FROM role_assignments WHERE role IN ('manager', 'staff');

-- calls: a call rings a group of people. A resident's call rings that resident,
-- a unit's call every listed resident of the unit, and a forwarded call the
-- front desk. Whoever accepts is the one who answered; every action after that
-- is theirs alone.
ALTER TABLE calls ALTER COLUMN residency_id DROP NOT NULL,
  ALTER COLUMN resident_user_id DROP NOT NULL,
  ADD COLUMN unit_id uuid REFERENCES units (id),
  ADD COLUMN forwarded_to text CHECK (forwarded_to IN ('front_desk')),
  ADD COLUMN answered_by uuid REFERENCES users (id),
  ADD CONSTRAINT calls_one_callee CHECK ((residency_id IS NULL) <> (unit_id IS NULL));
UPDATE calls SET answered_by = resident_user_id WHERE answered_at IS NOT NULL;

CREATE TABLE call_recipients (
  call_id uuid NOT NULL REFERENCES calls (id),
  user_id uuid NOT NULL REFERENCES users (id),
  role text NOT NULL CHECK (role IN ('resident', 'front_desk')),
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (call_id, user_id)
);
CREATE INDEX call_recipients_by_user ON call_recipients (user_id, call_id);
INSERT INTO call_recipients (call_id, user_id, role, added_at)
  SELECT id, resident_user_id, 'resident', created_at FROM calls;
-- A user's history, newest first, is read through call_recipients now.
DROP INDEX calls_by_resident;
