# Warnings live on an interface target so that every frontdoor target opts in
# explicitly and third-party code is left alone.
add_library(frontdoor_warnings INTERFACE)
target_compile_options(frontdoor_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wdouble-promotion -Wformat=2
  -Wimplicit-fallthrough
  # C++20 designated initializers may leave members at their defaults on purpose.
  -Wno-missing-field-initializers)
if(FRONTDOOR_WERROR)
  target_compile_options(frontdoor_warnings INTERFACE -Werror)
endif()
# GCC 12 reports maybe-uninitialized false positives inside Boost.Beast and
# Boost.Optional once sanitizers instrument the code; only those builds skip it.
if(FRONTDOOR_SANITIZE)
  target_compile_options(frontdoor_warnings INTERFACE -Wno-maybe-uninitialized)
endif()
# ThreadSanitizer does not model std::atomic_thread_fence, which Asio's handler
# completion uses; its hand-offs also go through a mutex, which TSan does model.
if("thread" IN_LIST FRONTDOOR_SANITIZE)
  target_compile_options(frontdoor_warnings INTERFACE -Wno-tsan)
endif()
