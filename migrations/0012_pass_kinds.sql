-- visitors: the kind of pass a visit gets, and a weekly pass's schedule in the
-- property's wall-clock time, exactly as the API takes it:
-- {"days":["mon","thu"],"from":"09:00","to":"12:00","starts_on":"2027-03-01","ends_on":"2027-06-01"}.
-- starts_at/ends_at of a weekly pass span its first window to its last.
ALTER TABLE visitors
  ADD COLUMN kind text NOT NULL DEFAULT 'window'
    CHECK (kind IN ('window', 'one_time', 'recurring', 'delivery')),
  ADD COLUMN schedule jsonb,
  ADD CONSTRAINT visitors_schedule_of_recurring CHECK ((kind = 'recurring') = (schedule IS NOT NULL));

-- passes: how often the key was used (BMX's count, read back after each access
-- event), and how often it may be (NULL: no cap; one_time and delivery: 1).
ALTER TABLE passes
  ADD COLUMN max_uses integer CHECK (max_uses BETWEEN 1 AND 100),
  ADD COLUMN uses integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
  ADD COLUMN first_used_at timestamptz,
  ADD COLUMN last_used_at timestamptz;

-- Published views gain the new columns (last, as a view's columns must).
CREATE OR REPLACE VIEW visit_windows AS
  SELECT id, property_id, host_user_id, name, email, starts_at, ends_at, kind, schedule
  FROM visitors;
CREATE OR REPLACE VIEW pass_states AS
  SELECT visitor_id, status, failure_code, failure_reason, arrived_at, uses, max_uses,
         first_used_at, last_used_at
  FROM passes;
