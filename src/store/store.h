#pragma once
// The store: users, API keys, executions, quota usage, violations and the audit log; the
// confirmation patterns, the log of confirmation decisions and users' reputation state.
// Admin reads and writes are synchronous and durable when they return. The request path's
// writes (executions, usage, violations) are queued and group-committed by a writer thread;
// an execution's callback runs only once its row is durable. Implementations: sqlite/,
// postgres/, and journal/ResilientStore, which wraps either and keeps writes in a local
// journal while the database is away.
// Thread-safe.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/tier.h"

namespace gaia::store {

using core::Result;
using core::Status;

enum class Role : uint8_t { kAdmin = 0, kService = 1, kUser = 2 };
std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

struct User {
  uint64_t id = 0;
  std::string name;
  core::Tier tier = core::Tier::kDefault;
  int64_t created_at_ms = 0;
};

// A key is stored only as its keyed hash (see http/key_hasher.h).
using KeyHash = std::array<uint8_t, 32>;

struct ApiKey {
  uint64_t id = 0;
  uint64_t user_id = 0;
  Role role = Role::kUser;
  std::string label;
  KeyHash hash{};
  int64_t created_at_ms = 0;
  std::optional<int64_t> revoked_at_ms;
};

struct Execution {
  std::string id;  // chosen by the client; recording is idempotent on it
  uint64_t user_id = 0;
  uint64_t key_id = 0;
  std::string type;
  std::string command;
  int64_t started_at_ms = 0;
  int64_t duration_ms = 0;
  int64_t cpu_ms = 0;
  int64_t peak_memory_bytes = 0;
  std::optional<int> exit_code;  // exactly one of exit_code and signal
  std::optional<int> signal;
};

// Units admitted for (user, key, type) on the local calendar day starting at day_start_ms.
// The store adds deltas up; restoring sums the days of each current period.
struct Usage {
  uint64_t user_id = 0;
  uint64_t key_id = 0;
  std::string type;
  int64_t day_start_ms = 0;
  uint64_t used = 0;
};

struct Violation {
  uint64_t user_id = 0;
  uint64_t key_id = 0;
  std::string type;
  std::string limit;  // the deciding limit, e.g. "calendar:day:500"
  std::string command;
  int64_t at_ms = 0;
};

// A stored violation with the id the store gave it (ids grow with time).
struct ViolationRecord {
  uint64_t id = 0;
  Violation violation;
};

// Which violations to list: every set field must match; newest first, at most `limit`, only
// ids below `before_id` when set (the cursor of the previous page).
struct ViolationFilter {
  std::optional<uint64_t> user_id = std::nullopt;
  std::optional<std::string> type = std::nullopt;
  std::optional<std::string> limit_name = std::nullopt;
  std::optional<int64_t> from_ms = std::nullopt;  // at_ms >= from_ms
  std::optional<int64_t> to_ms = std::nullopt;    // at_ms < to_ms
  std::optional<uint64_t> before_id = std::nullopt;
  size_t limit = 100;
};

struct AuditEntry {
  std::string actor;   // who: a user name
  std::string action;  // e.g. "user.create"
  std::string target;
  std::string before;  // JSON, or empty
  std::string after;   // JSON, or empty
  int64_t at_ms = 0;
};

// A quota rule an admin made, as the JSON of http/rule_json.h.
struct StoredRule {
  uint64_t id = 0;
  std::string body;
  int64_t updated_at_ms = 0;
};

// A confirmation pattern an admin manages, as the JSON of confirm/pattern_json.h.
struct StoredPattern {
  std::string id;
  std::string body;
  int64_t updated_at_ms = 0;
};

// One answer of the confirmation policy (POST /api/claude/confirm/request, or an agent's
// command through the executor). Text fields may be empty.
struct ConfirmDecision {
  uint64_t id = 0;  // assigned by the store; 0 until then
  int64_t at_ms = 0;
  std::string user;
  uint64_t key_id = 0;
  std::string command;
  std::string cwd;
  std::string session_id;
  std::string tool;
  std::string decision;  // approve | deny | ask
  std::string source;    // pattern | reviewer | fallback | default | ...
  std::string pattern_id;
  std::string reason;
  std::optional<int64_t> reviewer_latency_ms;  // set when a reviewer was asked
};

// Which decisions to list: every set field must match; newest first, at most `limit`, only
// ids below `before_id` when set (the cursor of the previous page).
struct DecisionFilter {
  std::optional<std::string> user = std::nullopt;
  std::optional<std::string> decision = std::nullopt;
  std::optional<std::string> source = std::nullopt;
  std::optional<int64_t> from_ms = std::nullopt;  // at_ms >= from_ms
  std::optional<int64_t> to_ms = std::nullopt;    // at_ms < to_ms
  std::optional<uint64_t> before_id = std::nullopt;
  size_t limit = 100;
};

// A user's reputation as last saved: the score at updated_at_ms and the recent events as
// JSON (see http/reputation_book.h).
struct ReputationState {
  std::string user;
  double score = 0;
  int64_t updated_at_ms = 0;
  std::string events;  // JSON array
};

// An alert rule an admin manages, as the JSON of alerts/rule_json.h (without its id).
struct StoredAlertRule {
  uint64_t id = 0;
  std::string body;
  int64_t updated_at_ms = 0;
};

// One state an alert entered ("pending", "firing", "resolved") with the metric's value then.
struct AlertTransition {
  std::string state;
  double value = 0;
  int64_t at_ms = 0;
};

// An alert: one rule's condition holding for one scope ("global", "user:ann", "type:shell").
struct StoredAlert {
  uint64_t id = 0;  // assigned by the store; 0 until then
  uint64_t rule_id = 0;
  std::string rule_name;
  std::string metric;
  std::string scope;
  std::string severity;
  std::string state;  // pending | firing | resolved
  double value = 0;
  double threshold = 0;
  int64_t started_at_ms = 0;
  int64_t updated_at_ms = 0;
  std::string ack_by;  // set with ack_at_ms when acknowledged
  std::optional<int64_t> ack_at_ms;
  std::string ack_note;
  std::optional<int64_t> silenced_until_ms;
  std::vector<AlertTransition> transitions;  // oldest first
};

// Which alerts to list: every set field must match; newest first, at most `limit`, only ids
// below `before_id` when set.
struct AlertFilter {
  std::optional<std::string> state = std::nullopt;
  std::optional<std::string> severity = std::nullopt;
  std::optional<uint64_t> rule_id = std::nullopt;
  std::optional<uint64_t> before_id = std::nullopt;
  size_t limit = 100;
};

struct StoreHealth {
  bool ok = true;
  std::string detail;        // the last write error, or why writes are journalled, while !ok
  size_t queued_writes = 0;  // waiting for the writer
  uint64_t commits = 0;      // group commits so far
  // While the database is away writes are made durable in a local journal (see
  // journal/resilient_store.h): ok is false, detail says why, and the journal's size shows.
  bool journaling = false;
  uint64_t journal_bytes = 0;      // journal not yet replayed into the database
  uint64_t journal_records = 0;    // records in it
  bool admissions_paused = false;  // GAIA_STORE_FAILURE=closed during an outage
};

// Analytics aggregates (see analytics/aggregator.h): what happened in one time bucket for one
// (user, key, command type, outcome, limit). Outcomes: "admitted", "refused" (limit names the
// deciding limit, empty otherwise), "executed", "failed". Rows for the same bucket and
// dimensions may repeat (each flush appends what arrived since the last one): readers merge
// them. Sketches are analytics::Sketch encodings, bytes the store keeps as they are (binary,
// or text in rows of earlier versions); empty when there is no execution.
enum class Granularity : uint8_t { kMinute = 0, kHour = 1, kDay = 2 };
std::string_view granularity_name(Granularity g);
std::optional<Granularity> parse_granularity(std::string_view name);

// One aggregate row, its strings and sketches of type `Bytes`: AggregateRow owns them;
// AggregateRowView views them where they are, valid only as long as that buffer (for rows
// passed by Store::scan_aggregates, only during the call).
template <class Bytes>
struct BasicAggregateRow {
  Granularity granularity = Granularity::kMinute;
  int64_t bucket_start_ms = 0;
  uint64_t user_id = 0;
  uint64_t key_id = 0;
  Bytes type;
  Bytes outcome;
  Bytes limit;
  uint64_t count = 0;
  uint64_t cost = 0;
  int64_t duration_ms_sum = 0;
  int64_t duration_ms_max = 0;
  int64_t cpu_ms_sum = 0;
  int64_t cpu_ms_max = 0;
  int64_t peak_memory_max = 0;  // bytes
  Bytes duration_sketch;
  Bytes cpu_sketch;
  Bytes memory_sketch;
};
using AggregateRow = BasicAggregateRow<std::string>;
using AggregateRowView = BasicAggregateRow<std::string_view>;

// `view` with its strings copied.
AggregateRow owned(const AggregateRowView& view);
// A view of `row`, valid while `row` is and unchanged.
AggregateRowView view_of(const AggregateRow& row);

// Which aggregate rows to read: one granularity, bucket_start_ms in [from_ms, to_ms), and
// every set field matching.
struct AggregateFilter {
  Granularity granularity = Granularity::kMinute;
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  std::optional<uint64_t> user_id = std::nullopt;
  std::optional<std::string> type = std::nullopt;
  std::optional<std::string> outcome = std::nullopt;
};

// The rows replace_aggregates() removes: one granularity, bucket_start_ms in [from_ms, to_ms),
// and only these outcomes (every outcome when empty).
struct AggregateScope {
  Granularity granularity = Granularity::kMinute;
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  std::vector<std::string> outcomes;
};

// One group commit's writes.
struct WriteBatch {
  std::vector<Execution> executions;
  std::vector<Usage> usage;
  std::vector<Violation> violations;
  std::vector<ConfirmDecision> decisions;
  bool empty() const {
    return executions.empty() && usage.empty() && violations.empty() && decisions.empty();
  }
};

// Records of journal segment `segment` up to and including `through_seq` (see
// journal/journal.h); the database keeps the highest mark per segment so that a replayed
// segment is applied exactly once.
struct JournalMark {
  uint64_t segment = 0;
  uint64_t through_seq = 0;
};

// Called once an execution's row is durable: true when it was new, false for a repeat id.
using RecordDone = std::function<void(Result<bool>)>;

class Store {
 public:
  virtual ~Store() = default;

  virtual Result<User> create_user(std::string_view name, core::Tier tier,
                                   int64_t now_ms) = 0;  // kInvalidArgument if taken
  virtual Result<std::optional<User>> find_user(std::string_view name) = 0;
  virtual Result<std::vector<User>> list_users() = 0;
  virtual Status set_tier(uint64_t user_id, core::Tier tier) = 0;

  virtual Result<ApiKey> create_key(uint64_t user_id, Role role, std::string_view label,
                                    const KeyHash& hash, int64_t now_ms) = 0;
  virtual Result<std::vector<ApiKey>> list_keys() = 0;             // revoked ones too
  virtual Status revoke_key(uint64_t key_id, int64_t now_ms) = 0;  // kNotFound if absent

  // Rules: kept in one transaction with their ids; `bodies` get ids in order.
  virtual Result<std::vector<uint64_t>> add_rules(const std::vector<std::string>& bodies,
                                                  int64_t now_ms) = 0;
  virtual Result<std::vector<StoredRule>> list_rules() = 0;
  // Replaces the body of rule `id`; kNotFound (nothing changed) when there is none.
  virtual Status update_rule(uint64_t id, std::string_view body, int64_t now_ms) = 0;
  // In one transaction, deletes the rules `remove` and adds `bodies` (ids in order, as
  // add_rules). kNotFound, and nothing changed, when a rule of `remove` does not exist.
  virtual Result<std::vector<uint64_t>> replace_rules(const std::vector<uint64_t>& remove,
                                                      const std::vector<std::string>& bodies,
                                                      int64_t now_ms) = 0;

  virtual Status append_audit(const AuditEntry& entry) = 0;
  virtual Result<std::vector<AuditEntry>> audit_since(int64_t since_ms) = 0;

  // Request-path writes, group-committed.
  virtual void record_execution(Execution execution, RecordDone done) = 0;
  virtual void add_usage(Usage delta) = 0;
  virtual void record_violation(Violation violation) = 0;
  virtual void record_decision(ConfirmDecision decision) = 0;
  // Blocks until every write queued before the call is durable (or failed).
  virtual Status flush() = 0;

  virtual Result<std::vector<Usage>> usage_since(int64_t day_start_ms) = 0;
  virtual Result<std::vector<Violation>> violations_since(int64_t since_ms) = 0;
  virtual Result<std::vector<ViolationRecord>> list_violations(const ViolationFilter& filter) = 0;
  // Deletes user `user_id`'s usage rows of the days starting at or after
  // `since_day_start_ms` (what a usage reset takes back); returns how many rows went. Usage
  // still queued is not affected: flush() first.
  virtual Result<uint64_t> delete_usage(uint64_t user_id, int64_t since_day_start_ms) = 0;
  virtual Result<std::optional<Execution>> find_execution(std::string_view id) = 0;
  virtual Result<uint64_t> count_executions() = 0;
  // Retention: deletes executions started before `before_ms`; usage rows stay.
  virtual Result<uint64_t> delete_executions_before(int64_t before_ms) = 0;

  virtual Result<std::vector<ConfirmDecision>> list_decisions(const DecisionFilter& filter) = 0;

  // Executions started in [from_ms, to_ms), oldest first, passed to `fn` one at a time; read
  // in pages so that other callers are not held up for the whole scan. `fn` must not call
  // the store. On failure the rows already passed stay passed.
  virtual Status scan_executions(int64_t from_ms, int64_t to_ms,
                                 const std::function<void(const Execution&)>& fn) = 0;

  // Analytics aggregates. add_aggregates appends `rows` in one transaction;
  // replace_aggregates deletes the rows of `scope` and inserts `rows` in one transaction
  // (on failure nothing changes); delete_aggregates_before removes rows of granularity `g`
  // whose bucket starts before `before_ms` (retention) and says how many.
  // scan_aggregates passes the rows that match `filter` to `fn`, in no set order, each a view
  // into the backend's row valid only during the call (so a report merges them without
  // copying); `fn` must not call the store. On failure the rows already passed stay passed.
  // list_aggregates returns the same rows, copied.
  virtual Status add_aggregates(const std::vector<AggregateRow>& rows) = 0;
  virtual Status scan_aggregates(const AggregateFilter& filter,
                                 const std::function<void(const AggregateRowView&)>& fn) = 0;
  Result<std::vector<AggregateRow>> list_aggregates(const AggregateFilter& filter);
  virtual Status replace_aggregates(const AggregateScope& scope,
                                    const std::vector<AggregateRow>& rows) = 0;
  virtual Result<uint64_t> delete_aggregates_before(Granularity g, int64_t before_ms) = 0;

  // Confirmation patterns, by id. put_pattern inserts or replaces; delete_pattern is
  // kNotFound when there is no such pattern.
  virtual Result<std::vector<StoredPattern>> list_patterns() = 0;
  virtual Status put_pattern(const StoredPattern& pattern) = 0;
  virtual Status delete_pattern(std::string_view id) = 0;
  // Stores `patterns` only the very first time it is called on this database (an admin who
  // deleted every pattern does not get the defaults back); true when it stored them.
  virtual Result<bool> seed_patterns(const std::vector<StoredPattern>& patterns) = 0;

  // Reputation state: put_reputations upserts every entry in one transaction.
  virtual Result<std::vector<ReputationState>> list_reputations() = 0;
  virtual Status put_reputations(const std::vector<ReputationState>& states) = 0;

  // Alert rules, by id. add_alert_rule assigns the id; put_alert_rule replaces the body of
  // an existing rule and delete_alert_rule removes one, both kNotFound when there is none.
  // seed_alert_rules stores `bodies` only the very first time it is called on this database
  // (as seed_patterns); true when it stored them.
  virtual Result<std::vector<StoredAlertRule>> list_alert_rules() = 0;
  virtual Result<uint64_t> add_alert_rule(std::string_view body, int64_t now_ms) = 0;
  virtual Status put_alert_rule(const StoredAlertRule& rule) = 0;
  virtual Status delete_alert_rule(uint64_t id) = 0;
  virtual Result<bool> seed_alert_rules(const std::vector<std::string>& bodies, int64_t now_ms) = 0;

  // Alerts. save_alert inserts `alert` when its id is 0 (its transitions are then stored
  // too) and otherwise updates the row with that id (kNotFound if absent), appending
  // `added` transitions; in one transaction. Answers the alert's id.
  virtual Result<uint64_t> save_alert(const StoredAlert& alert,
                                      const std::vector<AlertTransition>& added) = 0;
  // With their transitions, oldest first.
  virtual Result<std::vector<StoredAlert>> list_alerts(const AlertFilter& filter) = 0;
  virtual Result<std::optional<StoredAlert>> find_alert(uint64_t id) = 0;

  virtual StoreHealth health() = 0;
  // Called on the writer thread with the seconds each group commit took.
  virtual void set_commit_observer(std::function<void(double)> observer) = 0;

  // False while new admissions must be refused (the database is away and the configured
  // policy is to fail closed). Cheap: one atomic load, for the check path.
  virtual bool accepts_admissions() const { return true; }

  // Commits `batch` in one transaction now, on the calling thread, bypassing the queue;
  // with `mark`, records it in the same transaction. On success says, per execution, whether
  // it was new; on failure nothing of the batch is stored. kUnavailable means the database
  // could not be reached or was busy (worth retrying), anything else a real error.
  // Backends implement it; the default refuses.
  virtual Result<std::vector<bool>> commit_batch(const WriteBatch& batch,
                                                 std::optional<JournalMark> mark);
  // The highest through_seq recorded for journal `segment`, 0 if none.
  virtual Result<uint64_t> journal_applied_through(uint64_t segment);
};

}  // namespace gaia::store
