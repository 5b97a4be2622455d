#include "support/loopback_server.h"

#include <gtest/gtest.h>

#include <chrono>

#include "support/real_clock.h"

namespace gaia::testing {

LoopbackServer::LoopbackServer(http::Router router) {
  http::ServerOptions o;
  o.port = 0;
  o.io_threads = 1;
  o.drain_timeout = std::chrono::seconds(1);
  o.clock = &real_clock();
  server_ = std::make_unique<http::Server>(o, std::move(router));
  EXPECT_TRUE(server_->start().ok());
}

LoopbackServer::~LoopbackServer() {
  {
    std::lock_guard lock(mu_);
    for (http::Responder& r : held_) r(http::error_response(503, "late", "test over"));
    held_.clear();
  }
  server_->stop();
}

std::string LoopbackServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(path);
}

void LoopbackServer::hold(http::Responder respond) {
  std::lock_guard lock(mu_);
  held_.push_back(std::move(respond));
}

}  // namespace gaia::testing
