#include "exec/detail/account.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace gaia::exec::detail {

namespace {

// Calls getpwnam_r / getpwuid_r with a buffer that grows until the entry fits.
template <typename Lookup>
int lookup_passwd(Lookup lookup, passwd* entry, std::vector<char>* buffer, passwd** found) {
  buffer->resize(4096);
  int err;
  while ((err = lookup(entry, buffer->data(), buffer->size(), found)) == ERANGE &&
         buffer->size() < (1u << 20)) {
    buffer->resize(buffer->size() * 2);
  }
  return err;
}

Account from_entry(const passwd& entry) {
  Account a;
  a.name = entry.pw_name;
  a.home = entry.pw_dir != nullptr ? entry.pw_dir : "/";
  a.credentials.uid = entry.pw_uid;
  a.credentials.gid = entry.pw_gid;
  int count = 32;
  std::vector<gid_t> groups(static_cast<size_t>(count));
  while (::getgrouplist(entry.pw_name, entry.pw_gid, groups.data(), &count) < 0) {
    groups.resize(static_cast<size_t>(count));  // count now says how many there are
  }
  groups.resize(static_cast<size_t>(count));
  a.credentials.groups = std::move(groups);
  return a;
}

}  // namespace

core::Result<Account> find_account(const std::string& name) {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer;
  const int err = lookup_passwd([&](passwd* e, char* b, size_t n,
                                    passwd** f) { return ::getpwnam_r(name.c_str(), e, b, n, f); },
                                &entry, &buffer, &found);
  if (found == nullptr && (err == 0 || err == ENOENT || err == ESRCH)) {
    return core::Status::not_found("no account named '" + name + "'");
  }
  if (found == nullptr) {
    return core::Status::internal("looking up account '" + name + "': " + std::strerror(err));
  }
  return from_entry(entry);
}

Account account_of(uid_t uid) {
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer;
  lookup_passwd(
      [&](passwd* e, char* b, size_t n, passwd** f) { return ::getpwuid_r(uid, e, b, n, f); },
      &entry, &buffer, &found);
  if (found != nullptr) return from_entry(entry);
  Account a;
  a.name = "uid " + std::to_string(uid);
  a.home = "/";
  a.credentials = {uid, ::getgid(), {}};
  return a;
}

}  // namespace gaia::exec::detail
