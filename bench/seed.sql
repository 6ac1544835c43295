-- The benchmark's data set: 200 properties of 250 units, 50,000 residents (who
-- can log in with the bench password), 200,000 visitors with passes. Ids are
-- predictable so pgbench can pick rows without a lookup table.
-- psql variables: hash (the password hash every resident gets).
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO properties (id, name, site_name, time_zone)
SELECT ('00000000-0000-4000-8000-' || lpad(p::text, 12, '0'))::uuid, 'Bench Court ' || p,
       'bench-' || p, 'America/New_York'
FROM generate_series(1, 200) p;

INSERT INTO units (id, property_id, label)
SELECT ('00000000-0000-4000-9000-' || lpad(u::text, 12, '0'))::uuid,
       ('00000000-0000-4000-8000-' || lpad(((u - 1) / 250 + 1)::text, 12, '0'))::uuid,
       (100 + (u - 1) % 250)::text
FROM generate_series(1, 50000) u;

INSERT INTO users (id, email, display_name, password_hash)
SELECT ('00000000-0000-4000-a000-' || lpad(u::text, 12, '0'))::uuid, 'resident' || u || '@bench.test',
       'Resident ' || u, :'hash'
FROM generate_series(1, 50000) u;

INSERT INTO role_assignments (user_id, role, property_id)
SELECT ('00000000-0000-4000-a000-' || lpad(u::text, 12, '0'))::uuid, 'resident',
       ('00000000-0000-4000-8000-' || lpad(((u - 1) / 250 + 1)::text, 12, '0'))::uuid
FROM generate_series(1, 50000) u;

-- Names from short lists, with accents, so prefixes match several people.
INSERT INTO residencies (property_id, unit_id, user_id, first_name, last_name, directory_listed,
                         email)
SELECT ('00000000-0000-4000-8000-' || lpad(((u - 1) / 250 + 1)::text, 12, '0'))::uuid,
       ('00000000-0000-4000-9000-' || lpad(u::text, 12, '0'))::uuid,
       ('00000000-0000-4000-a000-' || lpad(u::text, 12, '0'))::uuid,
       (ARRAY['Ana','Ben','Chloé','Dmitri','Élodie','Farah','Gus','Hana','Ivan','José','Kai','Lena',
              'Mateo','Nour','Owen','Priya','Quinn','Rosa','Sven','Tomás','Uma','Vera','Wen',
              'Xavier','Yuki','Zoë'])[1 + u % 26],
       (ARRAY['Adams','Álvarez','Brown','Chen','Dubois','Evans','Fischer','García','Haddad',
              'Ito','Jensen','Kowalski','López','Martin','Nguyen','O''Brien','Patel','Quispe',
              'Rossi','Smith','Tanaka','Ueda','Vargas','Weber','Young','Zhang'])[1 + (u / 26) % 26]
              || ' ' || u,
       u % 10 <> 0, 'resident' || u || '@bench.test'
FROM generate_series(1, 50000) u;

INSERT INTO visitors (id, property_id, host_user_id, created_by, name, phone, access, starts_at, ends_at)
SELECT ('00000000-0000-4000-b000-' || lpad(v::text, 12, '0'))::uuid,
       ('00000000-0000-4000-8000-' || lpad((((v - 1) / 4) / 250 + 1)::text, 12, '0'))::uuid,
       ('00000000-0000-4000-a000-' || lpad(((v - 1) / 4 + 1)::text, 12, '0'))::uuid,
       ('00000000-0000-4000-a000-' || lpad(((v - 1) / 4 + 1)::text, 12, '0'))::uuid,
       'Guest ' || v, '+1555' || lpad((v % 10000000)::text, 7, '0'), 'property_only',
       now() + (v % 48 - 24) * interval '1 hour', now() + (v % 48 - 20) * interval '1 hour'
FROM generate_series(1, 200000) v;

-- Their pages are revoked (they hold no BMX credential); bench/seed.mjs issues real ones.
INSERT INTO passes (visitor_id, property_id, via, token_hash, status, revoked_at)
SELECT v.id, v.property_id, 'resident_tenant', md5(v.id::text) || md5(v.name), 'revoked', now()
FROM visitors v;
COMMIT;
ANALYZE;
