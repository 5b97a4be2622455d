#pragma once
// LiveSide: what admins watch live, built on the services and the executor: the WebSocket
// hub (admissions and refusals, the executor's load, throttle and queue, and the busiest
// users every few seconds), the violation announcer (refusals as they happen), the quota
// warning announcer (warnings the check gives, which it is made the listener of) and the alert
// stack (rules evaluated on their own timer against the live figures). make() builds them
// in the order of the members below and adds the announcer's and the alerts' listeners to
// the services' event feed, and has the directory tell the hub of every change to its
// credentials (so the sockets of a revoked key close at once); they are destroyed in the
// reverse order.
//
// Ownership: borrows the clock, the store, the services and the executor stack given to
// make(), which must outlive it. Threads: made, started and stopped on the main thread.

#include <memory>
#include <ostream>

#include "api/ws_routes.h"
#include "app/alert_detectors.h"
#include "app/alert_stack.h"
#include "app/config.h"
#include "app/exec_stack.h"
#include "app/quota_warning_announcer.h"
#include "app/relaying_feed.h"
#include "app/services.h"
#include "app/violation_announcer.h"
#include "http/ws_hub.h"

namespace gaia::app {

class LiveSide {
 public:
  // The hub, the announcer and the alert stack, none started; nullptr, with the reason on
  // `err`, when the alert stack cannot be made. The alert channels log to `out`.
  static std::unique_ptr<LiveSide> make(const Config& config, const core::Clock& clock,
                                        store::Store& store, Services& services, ExecStack& exec,
                                        std::ostream& out, std::ostream& err);
  LiveSide(const LiveSide&) = delete;
  LiveSide& operator=(const LiveSide&) = delete;

  http::WsHub& hub() { return *hub_; }
  // Where the announcer and the alerts publish: the hub, and the other nodes when relayed.
  RelayingFeed& own_events() { return *own_events_; }
  AlertStack& alerting() { return *alerting_; }

 private:
  LiveSide() = default;

  // The alerts' live figures, for the hub's "top_users"; set before the hub starts.
  const AlertMetrics* live_figures_ = nullptr;
  std::unique_ptr<http::WsHub> hub_;
  std::unique_ptr<RelayingFeed> own_events_;
  std::unique_ptr<api::RevokedKeySockets> revoked_key_sockets_;
  std::unique_ptr<ViolationAnnouncer> violation_announcer_;
  std::unique_ptr<QuotaWarningAnnouncer> quota_warning_announcer_;
  std::unique_ptr<AlertDetectors> alert_detectors_;
  std::unique_ptr<AlertStack> alerting_;
};

}  // namespace gaia::app
