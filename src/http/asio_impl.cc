// The one translation unit that compiles Asio (BOOST_ASIO_SEPARATE_COMPILATION is a public
// definition of gaia_asio).
#include <boost/asio/impl/src.hpp>
