#include "http/signal_waiter.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>

namespace gaia::http {

struct SignalWaiter::State {
  boost::asio::io_context ioc{1};
  boost::asio::signal_set signals{ioc, SIGINT, SIGTERM};
};

SignalWaiter::SignalWaiter() : state_(std::make_unique<State>()) {}

SignalWaiter::~SignalWaiter() = default;

int SignalWaiter::wait() {
  int received = 0;
  state_->signals.async_wait([&received](boost::system::error_code ec, int signal_number) {
    if (!ec) received = signal_number;
  });
  state_->ioc.run();
  state_->ioc.restart();
  return received;
}

void SignalWaiter::cancel() {
  // signal_set is not thread-safe; cancel on the io_context's own thread.
  boost::asio::post(state_->ioc, [s = state_.get()] { s->signals.cancel(); });
}

}  // namespace gaia::http
