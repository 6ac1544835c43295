-- Deny-list matching that disguises cannot get past (issue 29). The keys are
-- computed by the application with ICU (NFKC case folding; format characters,
-- accents, spaces and punctuation dropped), and e-mails are compared as the
-- mailbox that receives them. Rows without keys (these, and any an older
-- instance inserts during a rolling upgrade) are keyed by every instance's
-- housekeeping.
DROP INDEX denied_visitors_by_name;
ALTER TABLE denied_visitors DROP COLUMN name_key;
ALTER TABLE denied_visitors
  ADD COLUMN name_key text,
  ADD COLUMN email_key text,
  -- Refusals since the managers were last e-mailed about this entry (a digest:
  -- at most one e-mail per entry per hour).
  ADD COLUMN refusals_unreported integer NOT NULL DEFAULT 0,
  ADD COLUMN managers_told_at timestamptz;
CREATE INDEX denied_visitors_by_name ON denied_visitors (property_id, name_key)
  WHERE name_key IS NOT NULL;
CREATE INDEX denied_visitors_by_email_key ON denied_visitors (property_id, email_key)
  WHERE email_key IS NOT NULL;
DROP FUNCTION visitor_name_key(text);
