#include "cluster/change_feed.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace gaia::cluster {

ChangeFeed::ChangeFeed(store::ClusterStore& store, std::vector<ChangeTarget> targets,
                       ChangeFeedOptions options)
    : store_(store), targets_(std::move(targets)), options_(options) {}

ChangeFeed::~ChangeFeed() { stop(); }

void ChangeFeed::on_channel(std::string channel, Handler handler) {
  handlers_[std::move(channel)] = std::move(handler);
}

void ChangeFeed::start() {
  {
    core::MutexLock lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void ChangeFeed::stop() {
  {
    core::MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ChangeFeedStatus ChangeFeed::status() const {
  core::MutexLock lock(mu_);
  return status_;
}

bool ChangeFeed::stopping() const {
  core::MutexLock lock(mu_);
  return stopping_;
}

bool ChangeFeed::pause(std::chrono::milliseconds d) {
  core::MutexLock lock(mu_);
  wake_.wait_for(mu_, d, [this]() REQUIRES(mu_) { return stopping_; });
  return !stopping_;
}

void ChangeFeed::lost(const core::Status& why) {
  bool was_connected;
  {
    core::MutexLock lock(mu_);
    was_connected = status_.connected;
    status_.connected = false;
    status_.last_error = why.message();
  }
  // Logged once per loss, not once per failed attempt to come back.
  if (was_connected) spdlog::warn("change feed: {}; reconnecting", why.message());
}

void ChangeFeed::run() {
  std::vector<std::string> channels = {std::string(store::kChangeChannel)};
  for (const auto& [channel, handler] : handlers_) channels.push_back(channel);
  std::chrono::milliseconds retry = options_.retry_min;
  while (!stopping()) {
    auto listener = store_.listen(channels);
    if (listener.ok() && serve(*listener.value())) {
      retry = options_.retry_min;  // it was up: come back quickly
      continue;
    }
    if (!listener.ok()) lost(listener.status());
    if (!pause(retry)) break;
    retry = std::min(retry * 2, options_.retry_max);
  }
}

bool ChangeFeed::serve(store::NoticeListener& listener) {
  {
    core::MutexLock lock(mu_);
    ++status_.connections;
  }
  // After LISTEN: a change committed from here on is either read now or notified later.
  if (!reload(std::vector<bool>(targets_.size(), true))) return false;
  {
    core::MutexLock lock(mu_);
    ++status_.full_reloads;
    if (!status_.connected && status_.connections > 1) spdlog::info("change feed: reconnected");
    status_.connected = true;
    status_.last_error.clear();
  }
  while (!stopping()) {
    auto notices = listener.next(options_.poll);
    if (!notices.ok()) {
      lost(notices.status());
      return true;
    }
    std::vector<bool> which(targets_.size(), false);
    uint64_t changes = 0;
    for (const store::Notice& n : notices.value()) {
      if (n.channel != store::kChangeChannel) {
        if (auto h = handlers_.find(n.channel); h != handlers_.end()) h->second(n.payload);
        continue;
      }
      ++changes;
      for (size_t i = 0; i < targets_.size(); ++i) {
        const auto& tables = targets_[i].tables;
        if (std::find(tables.begin(), tables.end(), n.payload) != tables.end()) which[i] = true;
      }
    }
    if (changes > 0) {
      core::MutexLock lock(mu_);
      status_.notices += changes;
    }
    if (!reload(which)) return true;
  }
  return true;
}

bool ChangeFeed::reload(const std::vector<bool>& which) {
  for (size_t i = 0; i < targets_.size(); ++i) {
    if (!which[i]) continue;
    if (core::Status s = targets_[i].reload(); !s.ok()) {
      lost(core::Status::unavailable("reloading " + targets_[i].tables.front() + ": " +
                                     s.message()));
      return false;
    }
  }
  return true;
}

}  // namespace gaia::cluster
