-- A visitor with where its pass stands, as the apps see it: one definition that
-- every statement of the visitors module reads from, instead of a column list
-- glued into each. The visitor's status (scheduled, active, ...) depends on the
-- caller's "now" and is decided in the service, from these columns.
CREATE VIEW visitor_cards AS
  SELECT v.id, v.property_id, v.host_user_id, v.name, v.phone, v.email, v.access, v.kind,
         v.schedule::text AS schedule, v.starts_at, v.ends_at, v.created_at,
         p.status AS pass_status, p.failure_code, p.failure_reason, p.arrived_at, p.uses,
         p.max_uses, p.first_used_at, p.last_used_at
  FROM visitors v JOIN pass_states p ON p.visitor_id = v.id;
