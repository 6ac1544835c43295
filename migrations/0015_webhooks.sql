-- webhooks: integrators' subscriptions to a property's events, each event once,
-- and each attempt to deliver it to one subscription.
--
-- An event is published by a trigger on the audit trail, so it is queued in the
-- very statement that records its cause: it exists exactly when its cause
-- committed, and never for a transaction that rolled back.
CREATE TABLE webhook_subscriptions (
  id uuid PRIMARY KEY,
  property_id uuid NOT NULL REFERENCES properties (id),
  url text NOT NULL CHECK (length(url) <= 2000),
  events text[] NOT NULL CHECK (cardinality(events) > 0),
  description text,
  -- Signing secrets, sealed like BMX tokens (the app's token cipher); the previous
  -- one keeps signing beside the current one until previous_until.
  secret_key_id text NOT NULL,
  secret_sealed bytea NOT NULL,
  previous_key_id text,
  previous_sealed bytea,
  previous_until timestamptz,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX webhook_subscriptions_by_property ON webhook_subscriptions (property_id, created_at)
  WHERE deleted_at IS NULL;

CREATE TABLE webhook_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  property_id uuid NOT NULL REFERENCES properties (id),
  type text NOT NULL,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id),
  event_id uuid NOT NULL REFERENCES webhook_events (id),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_status_code integer,
  last_error text,
  -- By the app's clock (the retry schedule is judged there); NULL: at once.
  first_attempt_at timestamptz,
  next_attempt_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX webhook_deliveries_by_subscription
  ON webhook_deliveries (subscription_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id);

-- The audit actions integrators may subscribe to, by their published names.
CREATE FUNCTION webhook_event_type(action text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE action
      WHEN 'visitor.added' THEN 'visitor.created'
      WHEN 'pass.revoked' THEN 'visitor.revoked'
      WHEN 'pass.issued' THEN 'pass.issued'
      WHEN 'pass.failed' THEN 'pass.failed'
      WHEN 'visitor.arrived' THEN 'visitor.arrived'
      WHEN 'call.door_opened' THEN 'door.opened'
      WHEN 'call.missed' THEN 'call.missed'
      WHEN 'resident.moved_in' THEN 'resident.moved_in'
      WHEN 'resident.moved_out' THEN 'resident.moved_out'
      WHEN 'settings.changed' THEN 'settings.changed'
    END $$;

-- One event for an audited change that someone subscribed to, a delivery per
-- subscription, and the outbox message that delivers it on the webhook lane.
CREATE FUNCTION webhook_publish() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  event_type text := webhook_event_type(NEW.action);
  published uuid;
  delivery record;
BEGIN
  IF event_type IS NULL OR NEW.property_id IS NULL THEN RETURN NULL; END IF;
  IF NOT EXISTS (SELECT 1 FROM webhook_subscriptions s
                 WHERE s.property_id = NEW.property_id AND s.deleted_at IS NULL
                   AND (event_type = ANY (s.events) OR '*' = ANY (s.events))) THEN
    RETURN NULL;
  END IF;
  INSERT INTO webhook_events (property_id, type, data, created_at)
  VALUES (NEW.property_id, event_type,
          jsonb_build_object('subject_type', NEW.subject_type, 'subject_id', NEW.subject_id,
                             'actor', NEW.actor, 'details', NEW.details),
          NEW.created_at)
  RETURNING id INTO published;
  FOR delivery IN
    INSERT INTO webhook_deliveries (subscription_id, event_id)
    SELECT s.id, published FROM webhook_subscriptions s
    WHERE s.property_id = NEW.property_id AND s.deleted_at IS NULL
      AND (event_type = ANY (s.events) OR '*' = ANY (s.events))
    RETURNING id
  LOOP
    PERFORM outbox_enqueue('webhook', 'webhook:' || delivery.id,
                           jsonb_build_object('kind', 'delivery', 'delivery_id', delivery.id,
                                              'property_id', NEW.property_id),
                           false);
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER audit_events_publish_webhooks AFTER INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION webhook_publish();
