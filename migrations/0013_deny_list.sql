-- visitors: people a property has banned from being invited. An entry names
-- at least one of a name, a phone (E.164) or an e-mail (lower case); a new
-- visitor matching any of them is refused. Names match with case, accents and
-- extra spaces ignored (visitor_name_key), through name_key.
CREATE FUNCTION visitor_name_key(t text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT regexp_replace(btrim(directory_fold(t)), '\s+', ' ', 'g') $$;

CREATE TABLE denied_visitors (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  property_id uuid NOT NULL REFERENCES properties (id),
  name text,
  name_key text GENERATED ALWAYS AS (visitor_name_key(name)) STORED,
  phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  email text CHECK (email = lower(email)),
  reason text NOT NULL,
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (name IS NOT NULL OR phone IS NOT NULL OR email IS NOT NULL)
);
CREATE INDEX denied_visitors_by_property ON denied_visitors (property_id, created_at DESC, id DESC);
CREATE INDEX denied_visitors_by_phone ON denied_visitors (property_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX denied_visitors_by_email ON denied_visitors (property_id, email) WHERE email IS NOT NULL;
CREATE INDEX denied_visitors_by_name ON denied_visitors (property_id, name_key) WHERE name_key IS NOT NULL;
