#pragma once
// ViolationAnnouncer: publishes each refusal on the live feed as a "violation" message
// {user, type, limit, command, at_ms}. A flood of refusals is announced at most
// `per_second` a second; the rest are counted in the stats the feed sends anyway, so a burst
// never turns into a burst of messages to every watcher.
//
// Threads: any; a short lock per refusal.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/mutex.h"
#include "http/live_feed.h"
#include "store/event_feed.h"

namespace gaia::app {

class ViolationAnnouncer final : public store::StoreListener {
 public:
  using UserName = std::function<std::optional<std::string>(uint64_t id)>;

  // `feed` must outlive the announcer.
  ViolationAnnouncer(http::LiveFeed& feed, UserName user_name, uint32_t per_second = 50)
      : feed_(feed), user_name_(std::move(user_name)), per_second_(per_second) {}

  void on_violation(const store::Violation& violation) override;

 private:
  bool take_slot(int64_t at_ms);

  http::LiveFeed& feed_;
  const UserName user_name_;
  const uint32_t per_second_;
  core::Mutex mu_;
  int64_t second_ GUARDED_BY(mu_) = 0;  // the wall-clock second being counted
  uint32_t sent_ GUARDED_BY(mu_) = 0;   // announced in that second
};

}  // namespace gaia::app
