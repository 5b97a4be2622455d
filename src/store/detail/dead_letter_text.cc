#include "store/detail/dead_letter_text.h"

#include <optional>
#include <string>
#include <string_view>

#include "core/log_escape.h"

namespace gaia::store::detail {
namespace {

class Fields {
 public:
  Fields& text(std::string_view name, std::string_view value) {
    start(name);
    out_ += '"';
    core::append_log_escaped(out_, value);
    out_ += '"';
    return *this;
  }
  template <class N>
  Fields& number(std::string_view name, const N& value) {
    start(name);
    out_ += std::to_string(value);
    return *this;
  }
  template <class N>
  Fields& number(std::string_view name, const std::optional<N>& value) {
    if (!value) return *this;
    return number(name, *value);
  }
  std::string take() { return std::move(out_); }

 private:
  void start(std::string_view name) {
    if (!out_.empty()) out_ += ' ';
    out_.append(name).append("=");
  }
  std::string out_;
};

}  // namespace

DeadLetter dead_letter_of(const WriteBatch& b, const Status& refusal, int64_t at_ms) {
  DeadLetter d;
  d.at_ms = at_ms;
  core::append_log_escaped(d.error, refusal.message());
  Fields f;
  if (!b.executions.empty()) {
    const Execution& e = b.executions.front();
    d.kind = "execution";
    f.text("id", e.id).number("user_id", e.user_id).number("key_id", e.key_id);
    f.text("type", e.type).text("command", e.command).number("started_at_ms", e.started_at_ms);
    f.number("duration_ms", e.duration_ms).number("cpu_ms", e.cpu_ms);
    f.number("peak_memory_bytes", e.peak_memory_bytes).number("exit_code", e.exit_code);
    f.number("signal", e.signal);
  } else if (!b.usage.empty()) {
    const Usage& u = b.usage.front();
    d.kind = "usage";
    f.number("user_id", u.user_id).number("key_id", u.key_id).text("type", u.type);
    f.number("day_start_ms", u.day_start_ms).number("used", u.used);
  } else if (!b.violations.empty()) {
    const Violation& v = b.violations.front();
    d.kind = "violation";
    f.number("user_id", v.user_id).number("key_id", v.key_id).text("type", v.type);
    f.text("limit", v.limit).text("command", v.command).number("at_ms", v.at_ms);
    f.number("count", v.count).number("first_ms", v.first_ms());
  } else if (!b.decisions.empty()) {
    const ConfirmDecision& c = b.decisions.front();
    d.kind = "decision";
    f.number("at_ms", c.at_ms).text("user", c.user).number("key_id", c.key_id);
    f.text("command", c.command).text("cwd", c.cwd).text("session_id", c.session_id);
    f.text("tool", c.tool).text("decision", c.decision).text("source", c.source);
    f.text("pattern_id", c.pattern_id).text("reason", c.reason);
    f.number("reviewer_latency_ms", c.reviewer_latency_ms);
  }
  d.row = f.take();
  return d;
}

}  // namespace gaia::store::detail
