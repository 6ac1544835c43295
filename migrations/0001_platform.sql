-- Extensions the directory search relies on (accent- and case-insensitive prefix
-- and trigram matching). Both are trusted extensions in PostgreSQL 13+.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
