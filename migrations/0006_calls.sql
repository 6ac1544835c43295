-- The panel directory and calls (issue 6).

-- unaccent() is only STABLE (its dictionary could change); this wrapper names
-- the dictionary so that indexes can use it. José and jose fold the same way.
CREATE FUNCTION directory_fold(t text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, t)) $$;

-- Prefix search over listed, current residents of one property: one index per
-- name the panel may match (first, last, display name).
CREATE INDEX residencies_directory_first ON residencies
  (property_id, directory_fold(first_name) text_pattern_ops)
  WHERE moved_out_at IS NULL AND directory_listed;
CREATE INDEX residencies_directory_last ON residencies
  (property_id, directory_fold(last_name) text_pattern_ops)
  WHERE moved_out_at IS NULL AND directory_listed;
CREATE INDEX residencies_directory_display ON residencies
  (property_id, directory_fold(directory_display_name) text_pattern_ops)
  WHERE moved_out_at IS NULL AND directory_listed AND directory_display_name IS NOT NULL;

-- The door a panel opens, learnt from BMX the first time it is needed.
ALTER TABLE panels ADD COLUMN bmx_access_point_id bigint;

CREATE TABLE calls (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  property_id uuid NOT NULL REFERENCES properties (id),
  residency_id uuid NOT NULL REFERENCES residencies (id),
  resident_user_id uuid NOT NULL REFERENCES users (id),
  panel_id uuid REFERENCES panels (id),
  origin text NOT NULL CHECK (origin IN ('panel', 'bmx')),
  bmx_call_id bigint,
  bmx_device_id bigint,
  routed_to text NOT NULL CHECK (routed_to IN ('app', 'phone')),
  video_offered boolean NOT NULL,
  state text NOT NULL CHECK (state IN ('ringing', 'accepted', 'denied', 'missed', 'canceled',
                                       'door_opened', 'ended', 'routed_to_phone')),
  callee_label text NOT NULL,
  ring_deadline timestamptz NOT NULL,
  accepted_device_id uuid,
  media text CHECK (media IN ('audio', 'video')),
  audio_on boolean,
  video_on boolean,
  door_release_started_at timestamptz,  -- one release at a time
  created_at timestamptz NOT NULL DEFAULT now(),
  answered_at timestamptz,
  ended_at timestamptz,
  UNIQUE (property_id, bmx_call_id)
);
CREATE INDEX calls_ringing_due ON calls (ring_deadline) WHERE state = 'ringing';
CREATE INDEX calls_by_resident ON calls (resident_user_id, created_at DESC, id DESC);

-- Every transition with its actor.
CREATE TABLE call_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  call_id uuid NOT NULL REFERENCES calls (id),
  event text NOT NULL,
  actor text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}',
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX call_events_by_call ON call_events (call_id, seq);
