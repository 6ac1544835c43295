// BmxService: its construction. Its jobs live beside it, one file each: site_setup.cpp,
// links.cpp, access.cpp (what other modules ask of BMX), webhooks.cpp and health.cpp.
#include "frontdoor/bmx/service.hpp"

#include <pqxx/pqxx>

#include "frontdoor/db/pool.hpp"
#include "store.hpp"

namespace frontdoor::bmx {

BmxService::BmxService(db::Pool& pool, BmxClient& client, const Credentials& credentials,
                       const audit::AuditTrail& audit, const common::Clock& clock,
                       ServiceSettings settings)
    : pool_(pool),
      client_(client),
      credentials_(credentials),
      audit_(audit),
      clock_(clock),
      settings_(std::move(settings)) {
  store::prepare(pool_);
}

std::string BmxService::placeholder_email(const std::string& site_name) const {
  return "butterflymx+" + site_name + "@" + settings_.placeholder_email_domain;
}

}  // namespace frontdoor::bmx
