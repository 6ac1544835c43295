// The one translation unit that compiles Asio and Beast
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION are set on
// frontdoor_core), so the other files only parse their declarations.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
