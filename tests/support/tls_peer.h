#pragma once
// TlsPeer: an HTTPS front on loopback for a plain-HTTP server (Gaia's own, or a test's peer),
// with a certificate for 127.0.0.1 and localhost made for it by `openssl req -x509` in a
// temporary directory: tls_peer.py under python3. A client trusts it through ca_file() (the
// certificate is its own CA); without that it is an unknown issuer.
//
// Threads: one test at a time. The destructor kills the front.

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "support/temp_dir.h"

namespace gaia::testing {

class TlsPeer {
 public:
  // Fronts http://127.0.0.1:`upstream_port`. ok() is false when openssl or python3 failed.
  explicit TlsPeer(uint16_t upstream_port);
  ~TlsPeer();
  TlsPeer(const TlsPeer&) = delete;
  TlsPeer& operator=(const TlsPeer&) = delete;

  bool ok() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  // "https://localhost:PORT" followed by `path`.
  std::string url(const std::string& path = "") const;
  // The PEM file that makes the front trusted.
  std::string ca_file() const { return dir_.file("cert.pem"); }

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

}  // namespace gaia::testing
