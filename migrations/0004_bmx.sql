-- ButterflyMX (issue 4): BMX accounts (encrypted tokens), each property's site
-- set-up, residents' links, the OAuth state of a link in progress, webhook
-- events, and the last BMX error per operation for support.

-- A BMX user's OAuth tokens, sealed with AES-256-GCM under the key named by key_id.
CREATE TABLE bmx_credentials (
  id uuid PRIMARY KEY,
  key_id text NOT NULL,
  access_token bytea NOT NULL,
  refresh_token bytea NOT NULL,
  access_expires_at timestamptz NOT NULL,
  revoked_at timestamptz,  -- BMX refused the refresh token: the user must sign in again
  created_at timestamptz NOT NULL DEFAULT now(),
  rotated_at timestamptz
);

CREATE TABLE bmx_integrations (
  property_id uuid PRIMARY KEY REFERENCES properties (id),
  building_id bigint NOT NULL UNIQUE,
  building_name text NOT NULL,
  credential_id uuid NOT NULL REFERENCES bmx_credentials (id),
  placeholder_unit_id bigint NOT NULL,
  placeholder_tenant_id bigint NOT NULL,
  webhook_secret_hash text NOT NULL UNIQUE,
  bmx_integration_id text,  -- the webhook registration in BMX
  last_webhook_at timestamptz,
  configured_by uuid REFERENCES users (id),
  configured_at timestamptz NOT NULL DEFAULT now()
);

-- A manager telling the operator that the placeholder tenant exists in BMX.
CREATE TABLE bmx_setup_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  property_id uuid NOT NULL REFERENCES properties (id),
  requested_by uuid NOT NULL REFERENCES users (id),
  building_name text,
  note text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bmx_setup_requests_by_property ON bmx_setup_requests (property_id, created_at DESC);

CREATE TABLE bmx_links (
  user_id uuid PRIMARY KEY REFERENCES users (id),
  property_id uuid NOT NULL REFERENCES properties (id),
  credential_id uuid NOT NULL REFERENCES bmx_credentials (id),
  building_id bigint NOT NULL,
  tenant_id bigint NOT NULL,
  unit_id bigint NOT NULL,
  contact_preference text NOT NULL CHECK (contact_preference IN ('mobile_app', 'phone_call')),
  linked_at timestamptz NOT NULL DEFAULT now(),
  checked_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX bmx_links_tenant ON bmx_links (building_id, tenant_id);

-- The state of an authorize URL handed to a resident: single use, short-lived.
CREATE TABLE bmx_link_states (
  state_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL
);
CREATE INDEX bmx_link_states_by_user ON bmx_link_states (user_id);

-- Webhooks as received. BMX sends duplicates and no event id: the same resource
-- and action is kept once. door_release.create is stored as access_log.
CREATE TABLE bmx_webhook_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  property_id uuid NOT NULL REFERENCES properties (id),
  resource_type text NOT NULL CHECK (resource_type IN ('call', 'access_log')),
  action text NOT NULL,
  resource_id bigint NOT NULL,
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  outcome text,
  UNIQUE (property_id, resource_type, action, resource_id)
);

CREATE TABLE bmx_errors (
  property_id uuid NOT NULL REFERENCES properties (id),
  operation text NOT NULL,
  kind text NOT NULL,
  bmx_status integer,
  detail text NOT NULL,
  bmx_request_id text,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (property_id, operation)
);

-- The API's timestamp form (CONTRACT.md: RFC 3339 in UTC, whole seconds).
CREATE FUNCTION rfc3339(t timestamptz) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- What support needs to answer "why didn't my phone ring": the last push per device.
ALTER TABLE devices ADD COLUMN last_push_at timestamptz, ADD COLUMN last_push_outcome text;
