#pragma once
// LoopbackServer: Gaia's own http::Server on 127.0.0.1 at a port the kernel picks, serving a
// router the test writes; the receivers and fake peers of the tests are made of it. An async
// route may hold() a request unanswered (a peer that never answers); the destructor answers
// every held request 503, then stops the server, so no handler runs once it is gone.
//
// A handler that captures its owner should have the owner keep the LoopbackServer as its last
// member, so that the server stops before the state the handler touches is destroyed.

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "http/server.h"

namespace gaia::testing {

class LoopbackServer {
 public:
  // Starts serving `router` (the test fails if it cannot).
  explicit LoopbackServer(http::Router router);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // "http://127.0.0.1:<port>" followed by `path`.
  std::string url(std::string_view path) const;

  // Keeps `respond` unanswered until the server is destroyed. Any thread.
  void hold(http::Responder respond);

 private:
  std::mutex mu_;
  std::vector<http::Responder> held_;  // guarded by mu_
  std::unique_ptr<http::Server> server_;
};

}  // namespace gaia::testing
