-- The conditions the calls module's statements share, defined once instead of
-- SQL text glued into each statement at run time. Each takes the call's row.

-- The person is still where the call found them: living at the call's property
-- now, or, for a call forwarded to the front desk, working there now. Checked in
-- the same statement as every action, so a move-out (or a staff member's
-- removal) ends door control at once, on every instance, whatever the person's
-- access token still says.
CREATE FUNCTION call_person_still_there(c calls, person uuid) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT EXISTS (SELECT 1 FROM current_residents r
                 WHERE r.user_id = person AND r.property_id = c.property_id)
      OR (c.forwarded_to = 'front_desk'
          AND EXISTS (SELECT 1 FROM property_staff s
                      WHERE s.user_id = person AND s.property_id = c.property_id))
$$;

-- The person is in the group the call rings now (its residents until it is
-- forwarded, the front desk after) and still there.
CREATE FUNCTION call_rings(c calls, person uuid) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT EXISTS (SELECT 1 FROM call_recipients cr
                 WHERE cr.call_id = c.id AND cr.user_id = person
                   AND cr.role = CASE WHEN c.forwarded_to = 'front_desk' THEN 'front_desk'
                                      ELSE 'resident' END)
     AND call_person_still_there(c, person)
$$;

-- A ringing call whose ring time ran out goes on to the front desk when the
-- property wants it, it rang the app (BMX rings phones itself), it was not
-- forwarded before, and someone at the desk has a phone to ring.
CREATE FUNCTION call_forwardable(c calls) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT c.forwarded_to IS NULL AND c.routed_to = 'app'
     AND EXISTS (SELECT 1 FROM property_rules p
                 WHERE p.id = c.property_id AND p.front_desk_fallback)
     AND EXISTS (SELECT 1 FROM property_staff s JOIN device_tokens d ON d.user_id = s.user_id
                 WHERE s.property_id = c.property_id)
$$;

-- A call that can no longer go on at `at_time`: ringing past its deadline
-- (missed), or answered past its time limit (ended). A door release in progress
-- is left to finish, unless it was claimed long ago by a process that died.
CREATE FUNCTION call_due_to_end(c calls, at_time timestamptz) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT (c.state = 'ringing' AND c.ring_deadline <= at_time AND NOT call_forwardable(c))
      OR (c.state = 'accepted' AND c.accepted_until <= at_time
          AND (c.door_release_started_at IS NULL
               OR c.door_release_started_at < at_time - interval '1 minute'))
$$;

-- The call as it stands at `at_time`, before the sweep has written it: a ringing
-- call past its ring time has gone on to the front desk (whose window starts
-- when the residents' ended) or was missed, and an answered one past its time
-- limit ended. Reads show this; only the sweep and the transitions write.
CREATE FUNCTION call_as_of(c calls, at_time timestamptz) RETURNS calls
  LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  IF c.state = 'ringing' AND c.ring_deadline <= at_time AND call_forwardable(c) THEN
    c.forwarded_to := 'front_desk';
    c.ring_deadline := c.ring_deadline + make_interval(secs => (
      SELECT p.ring_timeout_seconds FROM property_rules p WHERE p.id = c.property_id));
  END IF;
  IF call_due_to_end(c, at_time) THEN
    c.ended_at := CASE WHEN c.state = 'ringing' THEN c.ring_deadline ELSE c.accepted_until END;
    c.state := CASE WHEN c.state = 'ringing' THEN 'missed' ELSE 'ended' END;
  END IF;
  RETURN c;
END
$$;
