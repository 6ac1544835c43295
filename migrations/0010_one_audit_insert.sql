-- audit: the trail has one INSERT. AuditTrail::record and the outbox's dead
-- letters both call audit_record, which now also takes the acting user (NULL
-- for the system), so the two writers cannot drift apart.
DROP FUNCTION audit_record(uuid, text, text, text, text, jsonb);

CREATE FUNCTION audit_record(property uuid, actor_user_id uuid, actor text, action text,
                             subject_type text, subject_id text, details jsonb) RETURNS void
  LANGUAGE sql AS $$
    INSERT INTO audit_events (property_id, actor_user_id, actor, action, subject_type,
                              subject_id, details)
    VALUES ($1, $2, $3, $4, $5, $6, $7) $$;
