#include "api/exec_api.h"

#include <sodium.h>

#include "api/api_pools.h"
#include "api/limit_problem.h"
#include "api/throttle_json.h"
#include "confirm/approval_desk.h"
#include "core/mutex.h"
#include "exec/approval_gate.h"
#include "http/json_text.h"
#include "rules/rule_json.h"

namespace gaia::api {
namespace {

constexpr size_t kMaxArgs = 4096;
constexpr size_t kMaxArgvBytes = 256 * 1024;
constexpr size_t kMaxEnvEntries = 256;
constexpr size_t kMaxIdBytes = 128;

std::string random_id() {
  unsigned char raw[12];
  randombytes_buf(raw, sizeof raw);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "x-";
  for (unsigned char c : raw) {
    id += kHex[c >> 4];
    id += kHex[c & 15];
  }
  return id;
}

bool valid_env_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// The argv of the body, or the 400 to answer.
std::variant<std::vector<std::string>, http::Response> argv_of(const boost::json::value* v) {
  if (v == nullptr) return field_error("argv", "is required");
  const boost::json::array* array = v->if_array();
  if (array == nullptr || array->empty()) {
    return field_error("argv", "must be a non-empty array of strings");
  }
  if (array->size() > kMaxArgs) return field_error("argv", "has too many arguments");
  std::vector<std::string> argv;
  size_t total = 0;
  for (const boost::json::value& word : *array) {
    const boost::json::string* s = word.if_string();
    // NUL and bad UTF-8 were refused with the body (parse_json).
    if (s == nullptr) return field_error("argv", "must be a non-empty array of strings");
    total += s->size();
    argv.emplace_back(s->data(), s->size());
  }
  if (total > kMaxArgvBytes) return field_error("argv", "is too long");
  if (argv[0].empty()) return field_error("argv", "the program name must not be empty");
  return argv;
}

std::variant<std::vector<std::pair<std::string, std::string>>, http::Response> env_of(
    const boost::json::value* v) {
  std::vector<std::pair<std::string, std::string>> env;
  if (v == nullptr) return env;
  const boost::json::object* object = v->if_object();
  if (object == nullptr) return field_error("env", "must be an object of strings");
  if (object->size() > kMaxEnvEntries) return field_error("env", "has too many entries");
  for (const auto& [name, value] : *object) {
    if (!valid_env_name(name)) {
      return field_error("env", "invalid variable name: " + std::string(name));
    }
    const boost::json::string* s = value.if_string();
    if (s == nullptr) return field_error("env", std::string(name) + " must be a string");
    env.emplace_back(std::string(name), std::string(s->data(), s->size()));
  }
  return env;
}

// The largest value of each limit: the runner's bounds, so no figure overflows on its way.
int64_t max_of_limit(std::string_view name) {
  if (name == "memory_bytes" || name == "output_bytes") return exec::kMaxBytes;
  if (name == "cpu_millicores") return exec::kMaxCpuMillicores;
  if (name == "cpu_seconds") return exec::kMaxCpuSeconds;
  if (name == "max_processes") return exec::kMaxProcesses;
  if (name == "open_files") return exec::kMaxOpenFiles;
  return 0;  // not a limit
}

// The optional "limits" object: what a RunSpec takes beyond argv, env and cwd.
std::variant<exec::RunSpec, http::Response> limits_of(const boost::json::value* v) {
  exec::RunSpec spec;
  if (v == nullptr) return spec;
  const boost::json::object* object = v->if_object();
  if (object == nullptr) return field_error("limits", "must be an object");
  for (const auto& [name, value] : *object) {
    const std::string field = "limits." + std::string(name);
    const int64_t max = max_of_limit(name);
    if (max == 0) {
      return field_error(field,
                         "unknown limit (memory_bytes, cpu_millicores, cpu_seconds, "
                         "max_processes, open_files, output_bytes)");
    }
    const std::optional<int64_t> n = rules::json_integer(&value);
    if (!n || *n < 1 || *n > max) {
      return field_error(field, "must be an integer from 1 to " + std::to_string(max));
    }
    if (name == "memory_bytes") {
      spec.memory_limit_bytes = *n;
      spec.limits.address_space_bytes = std::max<int64_t>(*n, 64 << 20);
    } else if (name == "cpu_millicores") {
      spec.cpu_limit_millicores = *n;
    } else if (name == "cpu_seconds") {
      spec.limits.cpu_seconds = *n;
    } else if (name == "max_processes") {
      spec.limits.max_processes = *n;
    } else if (name == "open_files") {
      spec.limits.open_files = *n;
    } else {
      spec.output_cap_bytes = std::min<int64_t>(*n, 64 << 20);
    }
  }
  return spec;
}

// Tells one HTTP client what happens to its command.
class StreamObserver : public exec::ExecObserver {
 public:
  // `principal` and `type` are the command's: the RateLimit-Policy of a refusal states the
  // limit as the rules do (core::RuleSet::stated_amount).
  StreamObserver(std::shared_ptr<http::ResponseStream> stream,
                 std::shared_ptr<const core::RuleSet> rules, core::Principal principal,
                 core::CommandTypeId type, http::LiveFeed& feed)
      : stream_(std::move(stream)),
        rules_(std::move(rules)),
        principal_(principal),
        type_(type),
        feed_(feed) {}

  void on_refused(const exec::Refusal& refusal) override {
    // Every refusal is a problem (RFC 9457); one by a limit has the shape of every 429 of a
    // limit (api/limit_problem.h).
    const std::optional<int64_t> retry =
        refusal.retry_after ? std::optional<int64_t>(refusal.retry_after->count()) : std::nullopt;
    boost::json::object body;
    std::vector<http::Header> headers;
    if (refusal.decision && refusal.decision->has_deciding) {
      const core::LimitState& limit = refusal.decision->deciding;
      LimitProblem p =
          limit_problem(limit, *rules_, rules_->stated_amount(principal_, type_, limit.limit),
                        refusal.code, refusal.message, retry);
      body = std::move(p.body);
      headers = std::move(p.headers);
    } else {
      body = http::problem(refusal.status, refusal.code, refusal.message,
                           refusal.status == 429 ? http::kQuotaExceededType : "about:blank");
      if (retry) {
        body["retry_after_s"] = *retry;
        headers.push_back({"Retry-After", std::to_string(*retry)});
      }
    }
    if (!refusal.command.empty()) body["command"] = refusal.command;
    if (!refusal.program.empty()) body["program"] = refusal.program;
    core::MutexLock lock(mu_);
    if (begun_) {
      // Refused after the answer began (a command an admin approved, then refused by its
      // limits): the refusal is the last event.
      body["event"] = "refused";
      body["status"] = refusal.status;
      send_locked(body);
    } else {
      begun_ = true;
      stream_->begin(refusal.status, std::string(http::kProblemJson), std::move(headers));
      stream_->write(http::json_text(body));
    }
    stream_->finish();
  }
  // Any other event, e.g. that the command waits for an admin's approval.
  void on_approval_required(const confirm::PendingApproval& waiting,
                            const std::string& message) override {
    send({{"event", "approval_required"},
          {"approval_id", waiting.id},
          {"message", message},
          {"expires_at_ms", waiting.expires_at_ms}});
    feed_.publish("approval", confirm::approval_json(waiting, "waiting"));
  }
  void on_queued(const core::Enqueued& e) override {
    send({{"event", "queued"},
          {"position", e.position},
          {"expected_wait_ms", e.expected_wait.count()}});
  }
  // The same entries as the check's "warnings" (docs/api.md).
  void on_quota_warnings(const std::vector<exec::QuotaWarning>& warnings,
                         const core::RuleSet& rules) override {
    boost::json::array entries;
    for (const exec::QuotaWarning& w : warnings) entries.push_back(warning_json(w, rules));
    send({{"event", "warnings"}, {"warnings", std::move(entries)}});
  }
  void on_throttled(const core::Admission& a) override {
    send({{"event", "throttled"}, {"factor", a.factor}, {"delay_ms", a.delay.count()}});
  }
  void on_started() override { send({{"event", "started"}}); }
  void on_output(exec::OutputStream stream, std::string_view bytes) override {
    const bool out = stream == exec::OutputStream::kStdout;
    send({{"event", out ? "stdout" : "stderr"}, {"data", valid_utf8(bytes)}});
  }
  void on_exited(const exec::RunResult& r, const core::Status& recorded) override {
    boost::json::object e{
        {"event", "exited"},
        {"duration_ms",
         std::chrono::duration_cast<std::chrono::milliseconds>(r.wall_duration).count()},
        {"cpu_ms",
         std::chrono::duration_cast<std::chrono::milliseconds>(r.user_cpu + r.system_cpu).count()},
        {"peak_memory_bytes", r.cgroup_peak_memory_bytes.value_or(r.peak_rss_bytes)},
        {"timed_out", r.timed_out},
        {"cancelled", r.cancelled},
        {"memory_limit_hit", r.memory_limit_hit},
        {"stdout_truncated", r.out.truncated},
        {"stderr_truncated", r.err.truncated},
        {"recorded", recorded.ok()}};
    if (r.term_signal > 0) {
      e["signal"] = r.term_signal;
    } else {
      e["exit_code"] = r.exit_code;
    }
    if (!recorded.ok()) e["record_error"] = recorded.message();
    if (r.cancelled_by_shutdown) e["cancelled_by"] = "shutdown";
    core::MutexLock lock(mu_);
    if (dropped_bytes_ > 0) e["output_dropped_bytes"] = dropped_bytes_;
    send_locked(e);
    stream_->finish();
  }
  void on_failed(const core::Status& why) override {
    core::MutexLock lock(mu_);
    if (!begun_) {
      // Nothing was streamed yet: answer as a plain error.
      begun_ = true;
      stream_->begin(422, std::string(http::kProblemJson));
      stream_->write(http::json_text(http::problem(422, "not_started", why.message())));
    } else {
      send_locked({{"event", "failed"}, {"message", why.message()}});
    }
    stream_->finish();
  }

 private:
  void send(const boost::json::object& event) {
    core::MutexLock lock(mu_);
    send_locked(event);
  }
  void send_locked(const boost::json::object& event) REQUIRES(mu_) {
    if (!begun_) stream_->begin(200, "application/x-ndjson");
    begun_ = true;
    std::string text = http::json_text(event) + "\n";
    const size_t size = text.size();
    // A client that reads slower than the command writes loses output, never stalls it.
    if (!stream_->write(std::move(text))) dropped_bytes_ += size;
  }

  core::Mutex mu_;  // events of one command may come from several threads
  std::shared_ptr<http::ResponseStream> stream_ GUARDED_BY(mu_);
  std::shared_ptr<const core::RuleSet> rules_;
  const core::Principal principal_;
  const core::CommandTypeId type_;
  http::LiveFeed& feed_;
  bool begun_ GUARDED_BY(mu_) = false;
  uint64_t dropped_bytes_ GUARDED_BY(mu_) = 0;
};

}  // namespace

std::string valid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    bool ok = len != 0 && i + len <= bytes.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(bytes[i + k]) & 0xC0) == 0x80;
    }
    if (ok && len > 1) {
      // Reject overlong forms, surrogates and code points past U+10FFFF.
      uint32_t cp = c & (0xFF >> (len + 1));
      for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (bytes[i + k] & 0x3F);
      static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (ok) {
      out.append(bytes.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

void add_exec_api(http::Router& router, const ApiContext& ctx, exec::Executor& executor,
                  ExecApiOptions options) {
  // On the exec pool, off the io threads; the handler returns once the command is under way
  // (an agent's command waits for the reviewer's answer without holding the thread).
  router.add_stream_blocking(
      "POST", "/api/v1/exec", kExecPool,
      [ctx, &executor, options](const http::Request& req,
                                std::shared_ptr<http::ResponseStream> stream) {
        auto answer = [&](http::Response r) {
          stream->begin(r.status, std::string(r.content_type), std::move(r.headers));
          stream->write(std::move(r.body));
          stream->finish();
        };
        auto auth = authenticate(req, ctx.directory, false);
        if (auto* r = std::get_if<http::Response>(&auth)) return answer(std::move(*r));
        const identity::Caller& caller = std::get<identity::Caller>(auth);
        auto parsed = JsonBody::parse(req);
        if (auto* r = std::get_if<http::Response>(&parsed)) return answer(std::move(*r));
        JsonBody& body = std::get<JsonBody>(parsed);

        std::shared_ptr<const core::RuleSet> rules = ctx.limiter.rules();
        auto type = body.command_type("type", *rules);
        auto id = body.string("id", false, kMaxIdBytes);
        auto cwd = body.string("cwd", false, 4096);
        auto timeout = body.integer("timeout_s", false, 1, options.max_timeout.count());
        const boost::json::value* agent = body.value("agent");
        if (body.error()) return answer(*body.error());
        if (agent != nullptr && !agent->is_bool())
          return answer(field_error("agent", "must be a boolean"));
        if (id && id->empty()) return answer(field_error("id", "must not be empty"));
        auto argv = argv_of(body.value("argv"));
        if (auto* r = std::get_if<http::Response>(&argv)) return answer(std::move(*r));
        auto env = env_of(body.value("env"));
        if (auto* r = std::get_if<http::Response>(&env)) return answer(std::move(*r));
        auto limits = limits_of(body.value("limits"));
        if (auto* r = std::get_if<http::Response>(&limits)) return answer(std::move(*r));

        exec::ExecRequest request;
        request.id = id ? *id : random_id();
        request.id_origin = id ? exec::IdOrigin::kCaller : exec::IdOrigin::kGenerated;
        request.user_id = caller.user_id;
        request.user_name = caller.user_name;
        request.principal = {caller.user_id, caller.key_id, caller.tier, caller.limit_scale};
        request.type = *type;
        // A key an admin marked as an agent's is judged as one whatever the body says.
        request.from_agent = caller.agent || (agent != nullptr && agent->as_bool());
        request.spec = std::move(std::get<exec::RunSpec>(limits));
        request.spec.argv = std::move(std::get<std::vector<std::string>>(argv));
        request.spec.env = std::move(std::get<0>(env));
        request.spec.owner = caller.user_name;
        if (cwd) request.spec.cwd = *cwd;
        request.spec.timeout =
            std::chrono::seconds(timeout.value_or(options.default_timeout.count()));

        auto observer = std::make_shared<StreamObserver>(stream, rules, request.principal,
                                                         request.type, ctx.feed);
        // The program is resolved here, once: the policy judges it, a person approves it and
        // the runner executes it.
        if (core::Status s = executor.prepare(request); !s.ok()) return observer->on_failed(s);
        if (options.approvals != nullptr && request.from_agent) {
          auto gate = std::make_shared<exec::ApprovalGate>(
              observer, *options.approvals, executor, request, rules->command_types()[*type].name);
          if (auto handle = executor.submit(std::move(request), gate)) gate->ran_as(*handle);
          // Runs at once if the client is already gone.
          stream->on_close([gate] { gate->close(); });
          return;
        }
        std::optional<exec::Executor::Handle> handle =
            executor.submit(std::move(request), observer);
        if (!handle) return;
        // Runs at once if the client is already gone.
        stream->on_close([&executor, h = *handle] { executor.cancel(h); });
      });
}

}  // namespace gaia::api
