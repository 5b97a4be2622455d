// The one translation unit that compiles Asio (BOOST_ASIO_SEPARATE_COMPILATION is a public
// definition of gaia_asio), its TLS streams on OpenSSL included.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
