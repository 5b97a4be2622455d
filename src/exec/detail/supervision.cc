#include "exec/detail/supervision.h"

#include <charconv>
#include <cstring>
#include <string_view>

namespace gaia::exec::detail {

namespace {

template <typename T>
std::optional<T> parse_number(std::string_view text) {
  T v{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// "a<sep>b<sep>c" split; an empty text is no items.
std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  if (text.empty()) return out;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(sep, start);
    out.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

}  // namespace

std::vector<std::string> encode_setup(const std::string& supervisor, const CommandSetup& setup) {
  std::vector<std::string> args{supervisor};
  if (setup.credentials) {
    const Credentials& c = *setup.credentials;
    args.push_back("--uid=" + std::to_string(c.uid));
    args.push_back("--gid=" + std::to_string(c.gid));
    std::string groups = "--groups=";
    for (size_t i = 0; i < c.groups.size(); ++i) {
      groups += (i > 0 ? "," : "") + std::to_string(c.groups[i]);
    }
    args.push_back(std::move(groups));
  }
  for (const RlimitSetting& r : setup.rlimits) {
    args.push_back("--rlimit=" + std::to_string(r.resource) + ":" +
                   std::to_string(r.value.rlim_cur) + ":" + std::to_string(r.value.rlim_max));
  }
  if (!setup.cwd.empty()) args.push_back("--cwd=" + setup.cwd);
  args.push_back("--");
  args.push_back(setup.path);
  args.insert(args.end(), setup.argv.begin(), setup.argv.end());
  return args;
}

core::Result<CommandSetup> decode_setup(int argc, const char* const* argv) {
  CommandSetup setup;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::optional<std::vector<gid_t>> groups;
  int i = 1;
  for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
    const std::string_view arg = argv[i];
    const size_t eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : arg.substr(eq + 1);
    auto bad = [&] { return core::Status::invalid_argument("bad option " + std::string(arg)); };
    if (name == "--uid") {
      if (!(uid = parse_number<uid_t>(value))) return bad();
    } else if (name == "--gid") {
      if (!(gid = parse_number<gid_t>(value))) return bad();
    } else if (name == "--groups") {
      groups.emplace();
      for (std::string_view g : split(value, ',')) {
        const auto n = parse_number<gid_t>(g);
        if (!n) return bad();
        groups->push_back(*n);
      }
    } else if (name == "--rlimit") {
      const std::vector<std::string_view> parts = split(value, ':');
      if (parts.size() != 3) return bad();
      const auto resource = parse_number<int>(parts[0]);
      const auto soft = parse_number<rlim_t>(parts[1]);
      const auto hard = parse_number<rlim_t>(parts[2]);
      if (!resource || !soft || !hard) return bad();
      setup.rlimits.push_back({*resource, {*soft, *hard}});
    } else if (name == "--cwd" && !value.empty()) {
      setup.cwd = std::string(value);
    } else {
      return bad();
    }
  }
  if (uid.has_value() != gid.has_value() || uid.has_value() != groups.has_value()) {
    return core::Status::invalid_argument("--uid, --gid and --groups go together");
  }
  if (uid) setup.credentials = Credentials{*uid, *gid, std::move(*groups)};
  if (i + 2 >= argc) return core::Status::invalid_argument("no command after --");
  setup.path = argv[i + 1];
  for (int j = i + 2; j < argc; ++j) setup.argv.emplace_back(argv[j]);
  return setup;
}

core::Status setup_failure_status(SetupStage stage, int err, const CommandSetup& setup,
                                  const std::string& account) {
  const std::string reason = std::strerror(err);
  const std::string as = " as " + account;
  switch (stage) {
    case SetupStage::kExec:
      if (err == ENOENT || err == ENOTDIR) {
        return core::Status::not_found("cannot execute '" + setup.path + "': " + reason);
      }
      if (err == EACCES || err == ENOEXEC || err == EISDIR || err == EPERM) {
        return core::Status::invalid_argument("cannot execute '" + setup.path + "'" + as + ": " +
                                              reason);
      }
      return core::Status::internal("cannot execute '" + setup.path + "': " + reason);
    case SetupStage::kChdir:
      if (err == ENOENT || err == ENOTDIR) {
        return core::Status::not_found("cannot enter cwd '" + setup.cwd + "': " + reason);
      }
      return core::Status::invalid_argument("cannot enter cwd '" + setup.cwd + "'" + as + ": " +
                                            reason);
    case SetupStage::kRlimit:
      return core::Status::invalid_argument("cannot set a resource limit: " + reason);
    case SetupStage::kCredentials:
      return core::Status::internal("cannot switch to the account" + as + ": " + reason);
    case SetupStage::kNoNewPrivs:
      return core::Status::internal("cannot set no_new_privs: " + reason);
    case SetupStage::kFork:
      break;
  }
  return core::Status::internal("cannot start the command: " + reason);
}

}  // namespace gaia::exec::detail
