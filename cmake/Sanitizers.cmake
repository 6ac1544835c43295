# FRONTDOOR_SANITIZE takes a ;-list such as "address;undefined".
set(FRONTDOOR_SANITIZE "" CACHE STRING "Sanitizers to build with, e.g. address;undefined")
add_library(frontdoor_sanitizers INTERFACE)
if(FRONTDOOR_SANITIZE)
  list(JOIN FRONTDOOR_SANITIZE "," _fd_sanitizers)
  target_compile_options(frontdoor_sanitizers INTERFACE
    -fsanitize=${_fd_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(frontdoor_sanitizers INTERFACE -fsanitize=${_fd_sanitizers})
endif()
