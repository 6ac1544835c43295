#pragma once

#include "frontdoor/http/message.hpp"
#include "frontdoor/passes/pages.hpp"

namespace frontdoor::passes {

// The page a phone shows for this view (HTML, no-store, a strict CSP).
http::Response render_pass_page(const PassView& view);

}  // namespace frontdoor::passes
