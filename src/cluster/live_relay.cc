#include "cluster/live_relay.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace gaia::cluster {

LiveRelay::LiveRelay(store::ClusterStore& store, const core::Clock& clock, std::string node_id,
                     Deliver deliver, LiveRelayOptions options)
    : store_(store),
      clock_(clock),
      node_id_(std::move(node_id)),
      deliver_(std::move(deliver)),
      options_(options) {}

LiveRelay::~LiveRelay() { stop(); }

void LiveRelay::start() {
  {
    core::MutexLock lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void LiveRelay::stop() {
  {
    core::MutexLock lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t LiveRelay::dropped() const {
  core::MutexLock lock(mu_);
  return dropped_;
}

void LiveRelay::send(std::string_view type, const boost::json::object& data) {
  const int64_t second = core::to_ms(clock_.mono_now()) / 1000;
  {
    core::MutexLock lock(mu_);
    if (second != second_) {
      second_ = second;
      sent_this_second_ = 0;
    }
    if (stopping_ || sent_this_second_ >= options_.per_second ||
        queue_.size() >= options_.max_queued) {
      ++dropped_;
      return;
    }
    ++sent_this_second_;
  }
  boost::json::object message{{"node", node_id_}, {"type", type}, {"data", data}};
  std::string text = boost::json::serialize(message);
  if (text.size() > options_.max_bytes) {
    message["data"] = boost::json::object{{"truncated", true}, {"bytes", text.size()}};
    text = boost::json::serialize(message);
  }
  {
    core::MutexLock lock(mu_);
    queue_.push_back(std::move(text));
  }
  wake_.notify_one();
}

void LiveRelay::receive(const std::string& payload) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(payload, ec);
  const boost::json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) return;
  const boost::json::value* node = o->if_contains("node");
  const boost::json::value* type = o->if_contains("type");
  const boost::json::value* data = o->if_contains("data");
  if (node == nullptr || !node->is_string() || node->as_string() == node_id_) return;
  if (type == nullptr || !type->is_string() || data == nullptr || !data->is_object()) return;
  boost::json::object event = data->as_object();
  event["node"] = node->as_string();  // which node saw it
  deliver_(type->as_string(), std::move(event));
}

void LiveRelay::run() {
  for (;;) {
    std::string text;
    {
      core::MutexLock lock(mu_);
      wake_.wait(mu_, [this]() REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      text = std::move(queue_.front());
      queue_.pop_front();
    }
    // A database away loses the event: the live view is best effort, the record is not.
    if (!store_.notify(kLiveChannel, text).ok()) {
      core::MutexLock lock(mu_);
      ++dropped_;
    }
  }
}

}  // namespace gaia::cluster
