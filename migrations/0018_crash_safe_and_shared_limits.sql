-- Several instances and the bad day (issue 30).

-- Rate limits shared by every instance: one row per bucket, counted and checked
-- in one statement under the row's lock, so a burst cannot be evaluated all at
-- once and N instances cannot multiply a limit. Unlogged: a crash forgets the
-- counts (a minute of leniency), and no WAL is written on the read path.
CREATE UNLOGGED TABLE rate_counters (
  bucket text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  hits integer NOT NULL
);

-- Takes one from `bucket`'s allowance of `most` per `per_seconds`; returns 0
-- when it was allowed, else the seconds until the window starts over.
CREATE FUNCTION rate_limit_take(bucket text, most integer, per_seconds integer)
  RETURNS integer LANGUAGE sql AS $$
  INSERT INTO rate_counters AS c (bucket, window_start, hits)
  VALUES (rate_limit_take.bucket, now(), 1)
  ON CONFLICT (bucket) DO UPDATE SET
    hits = CASE WHEN c.window_start <= now() - make_interval(secs => per_seconds) THEN 1
                ELSE c.hits + 1 END,
    window_start = CASE WHEN c.window_start <= now() - make_interval(secs => per_seconds)
                        THEN now() ELSE c.window_start END
  RETURNING CASE WHEN c.hits <= most THEN 0
                 ELSE greatest(1, ceil(extract(epoch FROM c.window_start
                   + make_interval(secs => per_seconds) - now())))::integer END $$;

-- A sign-in attempt reserves its failure before the password is checked: 16
-- simultaneous wrong passwords for one account are counted 1 to 16, and only the
-- first five are evaluated. A success gives the reservation back (login_succeeded).
-- `wait` is 0 to go ahead, else the seconds to wait; `previous` is the address's
-- last failure before this attempt (a success puts it back). An account over its
-- limit waits for its window to end; an address over its limit waits until
-- `spacing` after its last failure (slowed down, never locked out).
CREATE FUNCTION login_attempt(account text, account_limit integer, address text,
                              address_limit integer, at timestamptz, window_seconds integer,
                              spacing_seconds integer, OUT wait bigint, OUT previous timestamptz)
  LANGUAGE plpgsql AS $$
DECLARE
  window_length interval := make_interval(secs => window_seconds);
  spacing interval := make_interval(secs => spacing_seconds);
  found login_failures;
BEGIN
  wait := 0;
  -- Both rows exist and are locked (in key order, so two attempts never deadlock);
  -- a window that is over starts again.
  INSERT INTO login_failures AS f (key, window_start, failures, last_failure_at)
  SELECT k, at, 0, at - spacing FROM unnest(ARRAY[account, address]) AS k ORDER BY k
  ON CONFLICT (key) DO UPDATE SET
    failures = CASE WHEN f.window_start <= at - window_length THEN 0 ELSE f.failures END,
    window_start = CASE WHEN f.window_start <= at - window_length THEN at ELSE f.window_start END;
  SELECT * INTO found FROM login_failures WHERE key = account;
  IF found.failures >= account_limit THEN
    wait := greatest(wait, ceil(extract(epoch FROM found.window_start + window_length - at))::bigint);
  END IF;
  SELECT * INTO found FROM login_failures WHERE key = address;
  previous := found.last_failure_at;
  IF found.failures >= address_limit AND found.last_failure_at + spacing > at THEN
    wait := greatest(wait, ceil(extract(epoch FROM found.last_failure_at + spacing - at))::bigint);
  END IF;
  IF wait > 0 THEN
    RETURN;
  END IF;
  UPDATE login_failures SET failures = failures + 1, last_failure_at = at
  WHERE key IN (account, address);
END $$;

-- The right password: the account starts over, and the address gets back the
-- attempt it reserved at `at`, with the last failure it had before (`previous`);
-- an address with nothing left against it is forgotten.
CREATE FUNCTION login_succeeded(account text, address text, at timestamptz,
                                previous timestamptz) RETURNS void
  LANGUAGE sql AS $$
  DELETE FROM login_failures WHERE key = account;
  DELETE FROM login_failures WHERE key = address AND failures <= 1;
  UPDATE login_failures SET failures = failures - 1,
    last_failure_at = CASE WHEN last_failure_at = at THEN previous ELSE last_failure_at END
  WHERE key = address $$;

-- An Idempotency-Key whose first request is still running is held until the
-- request's deadline: when the instance running it dies, a retry takes it over
-- then instead of answering idempotency_key_in_use for 24 hours.
ALTER TABLE idempotency_keys ADD COLUMN running_until timestamptz;

-- A door release claim that outlived its deadline (the instance died while BMX
-- worked) is checked against BMX's own record before the call may try again.
ALTER TABLE calls ADD COLUMN door_release_checked_at timestamptz;

-- Keys left running by an earlier version: theirs is a minute from their start.
UPDATE idempotency_keys SET running_until = created_at + interval '1 minute'
WHERE status IS NULL;

-- Door claims are looked for on every sweep: only the few that exist are read.
CREATE INDEX calls_door_claims ON calls (door_release_started_at)
  WHERE door_release_started_at IS NOT NULL;
