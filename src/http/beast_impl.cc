// The one translation unit that compiles Beast (BOOST_BEAST_SEPARATE_COMPILATION is a public
// definition of gaia_http). Asio is compiled once, in gaia_asio (asio_impl.cc), which both the
// HTTP server and the Redis connection link.
#include <boost/beast/src.hpp>
