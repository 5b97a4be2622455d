// The one translation unit that compiles Asio and Beast (BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION are public definitions of gaia_http).
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
