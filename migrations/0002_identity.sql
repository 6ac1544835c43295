-- Who is who, where they live, and what each may do (issue 3).

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL CHECK (email = lower(email)),
  phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  display_name text NOT NULL,
  password_hash text,  -- NULL until the invite is activated
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE properties (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  site_name text NOT NULL UNIQUE,
  time_zone text NOT NULL,
  allow_visitor_access boolean NOT NULL DEFAULT true,
  property_only_visitor_max_hours integer NOT NULL DEFAULT 24
    CHECK (property_only_visitor_max_hours BETWEEN 1 AND 8760),
  ring_timeout_seconds integer NOT NULL DEFAULT 30 CHECK (ring_timeout_seconds BETWEEN 10 AND 120),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- admin is global (no property); every other role belongs to one property.
CREATE TABLE role_assignments (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('admin', 'manager', 'staff', 'resident', 'visitor')),
  property_id uuid REFERENCES properties (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'admin') = (property_id IS NULL))
);
CREATE UNIQUE INDEX role_assignments_key ON role_assignments
  (user_id, role, coalesce(property_id, '00000000-0000-0000-0000-000000000000'::uuid));

CREATE TABLE units (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  property_id uuid NOT NULL REFERENCES properties (id),
  label text NOT NULL,
  floor text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (property_id, label),
  UNIQUE (property_id, id)
);

CREATE TABLE residencies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  property_id uuid NOT NULL,
  unit_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id),
  first_name text NOT NULL,
  last_name text NOT NULL,
  directory_listed boolean NOT NULL DEFAULT true,
  directory_display_name text,
  moved_in_at timestamptz NOT NULL DEFAULT now(),
  moved_out_at timestamptz,
  -- The unit must belong to the same property.
  FOREIGN KEY (property_id, unit_id) REFERENCES units (property_id, id)
);
CREATE UNIQUE INDEX residencies_one_current ON residencies (user_id, property_id)
  WHERE moved_out_at IS NULL;
CREATE INDEX residencies_by_name ON residencies (property_id, lower(last_name), lower(first_name), id);

CREATE TABLE refresh_tokens (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE invite_tokens (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Failed logins per key ('account:<email>' or 'address:<ip>') in a fixed window.
CREATE TABLE login_failures (
  key text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  failures integer NOT NULL
);

CREATE TABLE devices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  platform text NOT NULL CHECK (platform IN ('ios', 'android')),
  push_token text NOT NULL UNIQUE,
  voip_token text,
  bmx_app_installed boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_by_user ON devices (user_id);

CREATE TABLE panels (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  property_id uuid NOT NULL REFERENCES properties (id),
  name text NOT NULL,
  bmx_device_id text,
  key_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

-- Every state change that matters to a person, with its actor.
CREATE TABLE audit_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
  property_id uuid REFERENCES properties (id),
  actor_user_id uuid REFERENCES users (id),
  actor text NOT NULL,
  action text NOT NULL,
  subject_type text NOT NULL,
  subject_id text,
  details jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_by_property ON audit_events (property_id, seq DESC);

-- Side effects on outside systems, written in the same transaction as their
-- cause and delivered by a dispatcher (src/notify).
CREATE TABLE outbox (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'push', 'bmx')),
  dedupe_key text NOT NULL UNIQUE,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
