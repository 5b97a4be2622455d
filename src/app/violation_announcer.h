#pragma once
// ViolationAnnouncer: publishes each refusal on the live feed as a "violation" message
// {user, type, limit, command, at_ms, count, first_at}: count 1 and first_at = at_ms for a
// refusal as it happens, more for an episode handed over whole. The feed bounds what a flood of
// refusals costs its watchers (a rate per kind, the rest counted as folded, and capped text:
// http/ws_hub.h), so every refusal is handed to it and the folded count is exact; the message
// is built (the user's name looked up, the JSON made) only for a refusal the feed sends.
//
// Threads: any.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "http/live_feed.h"
#include "store/event_feed.h"

namespace gaia::app {

class ViolationAnnouncer final : public store::StoreListener {
 public:
  using UserName = std::function<std::optional<std::string>(uint64_t id)>;

  // `feed` must outlive the announcer.
  ViolationAnnouncer(http::LiveFeed& feed, UserName user_name)
      : feed_(feed), user_name_(std::move(user_name)) {}

  void on_violation(const store::Violation& violation) override;

 private:
  http::LiveFeed& feed_;
  const UserName user_name_;
};

}  // namespace gaia::app
