#pragma once

// What this binary was built from: the project's version and the commit (given
// to CMake as FRONTDOOR_COMMIT, as the image build does, or read from git when
// the build configures; "unknown" otherwise). Published as frontdoor_build_info.
#include <string_view>

namespace frontdoor::ops {

std::string_view build_version();
std::string_view build_commit();

}  // namespace frontdoor::ops
