-- properties: how many passes a resident may hold at once, and create per day
-- (in the property's time zone). NULL: no limit.
ALTER TABLE properties
  ADD COLUMN max_active_passes_per_resident integer
    CHECK (max_active_passes_per_resident BETWEEN 1 AND 1000),
  ADD COLUMN max_passes_per_resident_per_day integer
    CHECK (max_passes_per_resident_per_day BETWEEN 1 AND 1000);

-- Published to visitors with the other rules (new columns go last in a view).
CREATE OR REPLACE VIEW property_rules AS
  SELECT id, name, site_name, time_zone, allow_visitor_access, property_only_visitor_max_hours,
         ring_timeout_seconds, max_active_passes_per_resident, max_passes_per_resident_per_day
  FROM properties;
