#pragma once
// Local accounts commands run as: looked up once, by name, in the user and group databases
// (getpwnam_r, getgrouplist: /etc/passwd and /etc/group, or whatever NSS is configured).
// Any thread; blocking (NSS may ask a directory service).

#include <string>

#include "core/status.h"
#include "exec/detail/supervision.h"

namespace gaia::exec::detail {

struct Account {
  std::string name;
  Credentials credentials;  // uid, primary gid, every group the account is a member of
  std::string home;
};

// kNotFound when there is no such account; kInternal when the databases cannot be read.
[[nodiscard]] core::Result<Account> find_account(const std::string& name);

// The account of `uid` (the server's own user), or one named "uid <n>" when it has no entry.
Account account_of(uid_t uid);

}  // namespace gaia::exec::detail
