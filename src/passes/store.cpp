// SQL of the passes module. A pass belongs to its visit, so these statements
// read the visit's name and window from the visitors module's visit_windows
// view (docs/tables.md); only this module writes passes.
#include "store.hpp"

#include "frontdoor/db/pool.hpp"

namespace frontdoor::passes::store {

void prepare(db::Pool& pool) {
  pool.prepare("passes_insert",
               "INSERT INTO passes (visitor_id, property_id, holder_user_id, via, token_hash) "
               "VALUES ($1, $2, $3, $4, $5)");
  pool.prepare("passes_load",
               "SELECT p.status, p.via, v.host_user_id, p.property_id, v.name, "
               "rfc3339(v.starts_at), rfc3339(v.ends_at), v.email, p.bmx_keychain_id, "
               "p.keychain_requested_at IS NOT NULL FROM passes p "
               "JOIN visit_windows v ON v.id = p.visitor_id WHERE p.visitor_id = $1");
  pool.prepare("passes_keychain_requested",
               "UPDATE passes SET keychain_requested_at = now(), bmx_tenant_id = $2 "
               "WHERE visitor_id = $1 AND status = 'pending' RETURNING 1");
  pool.prepare("passes_keychain_created",
               "UPDATE passes SET bmx_keychain_id = $2 WHERE visitor_id = $1 "
               "AND status = 'pending' RETURNING 1");
  pool.prepare("passes_issued",
               "UPDATE passes SET status = 'issued', bmx_virtual_key_id = $2, key_id = $3, "
               "credential = $4, issued_at = now() WHERE visitor_id = $1 AND status = 'pending' "
               "RETURNING property_id");
  pool.prepare("passes_failed",
               "UPDATE passes p SET status = 'failed', failure_code = $2, failure_reason = $3 "
               "FROM visit_windows v WHERE v.id = p.visitor_id AND p.visitor_id = $1 "
               "AND p.status = 'pending' RETURNING p.property_id, v.host_user_id, v.name");
  pool.prepare("passes_revoke",
               "UPDATE passes SET status = 'revoked', revoked_at = now() WHERE visitor_id = $1 "
               "AND status <> 'revoked' RETURNING property_id, bmx_keychain_id");
  pool.prepare("passes_revoke_hosted",
               "UPDATE passes p SET status = 'revoked', revoked_at = now() FROM visit_windows v "
               "WHERE v.id = p.visitor_id AND v.host_user_id = $1 AND p.property_id = $2 "
               "AND p.status IN ('pending', 'issued') RETURNING p.visitor_id, p.bmx_keychain_id");
  pool.prepare("passes_revoke_property",
               "UPDATE passes SET status = 'revoked', revoked_at = now() WHERE property_id = $1 "
               "AND status IN ('pending', 'issued') RETURNING visitor_id, bmx_keychain_id");
  // BMX may still be finishing a creation we gave up on until $2 ms have passed.
  pool.prepare("passes_reconcile_state",
               "SELECT bmx_keychain_id, status, property_id, "
               "now() - keychain_requested_at >= $2 * interval '1 millisecond' "
               "FROM passes WHERE visitor_id = $1");
  pool.prepare("passes_keychain_of",
               "SELECT bmx_keychain_id, property_id FROM passes WHERE visitor_id = $1");
  pool.prepare("passes_bmx_deleted",
               "UPDATE passes SET bmx_deleted_at = now() WHERE visitor_id = $1");
  // The page shows the window in the property's own time zone.
  pool.prepare("passes_credentials",
               "SELECT p.visitor_id, p.property_id, pr.name, rfc3339(v.starts_at), "
               "rfc3339(v.ends_at), p.key_id, p.credential, v.starts_at <= $2::timestamptz "
               "FROM passes p JOIN visit_windows v ON v.id = p.visitor_id "
               "JOIN property_rules pr ON pr.id = p.property_id "
               "WHERE p.holder_user_id = $1 AND p.status = 'issued' "
               "AND v.ends_at > $2::timestamptz ORDER BY v.starts_at, p.visitor_id");
  // Passes at this tenant that could have been used around the event's time.
  pool.prepare("passes_arrival_candidates",
               "SELECT p.visitor_id, p.bmx_virtual_key_id, v.host_user_id, v.name "
               "FROM passes p JOIN visit_windows v ON v.id = p.visitor_id "
               "WHERE p.property_id = $1 AND p.bmx_tenant_id = $2 AND p.status = 'issued' "
               "AND p.arrived_at IS NULL AND v.starts_at <= $3::timestamptz + interval '15 min' "
               "AND v.ends_at >= $3::timestamptz - interval '15 min'");
  pool.prepare("passes_arrived",
               "UPDATE passes SET arrived_at = now() WHERE visitor_id = $1 "
               "AND arrived_at IS NULL RETURNING property_id");
}

}  // namespace frontdoor::passes::store
