-- Visitors and their passes (issue 5).

-- A visit: who comes, for whom, when. Residents invite their own visitors
-- (host_user_id); staff invite visitors of the property (host_user_id NULL).
CREATE TABLE visitors (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  property_id uuid NOT NULL REFERENCES properties (id),
  host_user_id uuid REFERENCES users (id),
  created_by uuid NOT NULL REFERENCES users (id),
  name text NOT NULL,
  phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  email text CHECK (email = lower(email)),
  access text NOT NULL CHECK (access IN ('property_only', 'property_wide')),
  visitor_user_id uuid REFERENCES users (id),  -- the visitor's account (property-wide, staff)
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visitors_by_host ON visitors (host_user_id, created_at DESC, id DESC);
CREATE INDEX visitors_by_property ON visitors (property_id, created_at DESC, id DESC);

-- The BMX credential of a visit. The window is the visit's, exactly; the QR
-- payload is sealed like BMX tokens; a page token is kept only as a hash.
CREATE TABLE passes (
  visitor_id uuid PRIMARY KEY REFERENCES visitors (id),
  property_id uuid NOT NULL REFERENCES properties (id),
  holder_user_id uuid REFERENCES users (id),
  via text NOT NULL CHECK (via IN ('resident_tenant', 'placeholder_tenant')),
  token_hash text UNIQUE,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'issued', 'failed', 'revoked')),
  failure_code text,
  failure_reason text,
  bmx_tenant_id bigint,
  bmx_keychain_id bigint,
  bmx_virtual_key_id bigint,
  keychain_requested_at timestamptz,  -- set before asking BMX, so a retry knows to look first
  key_id text,
  credential bytea,
  issued_at timestamptz,
  arrived_at timestamptz,
  revoked_at timestamptz,
  bmx_deleted_at timestamptz
);
CREATE INDEX passes_by_holder ON passes (holder_user_id) WHERE status = 'issued';
CREATE INDEX passes_by_tenant ON passes (property_id, bmx_tenant_id) WHERE status = 'issued';
