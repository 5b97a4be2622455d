#pragma once
// AuditStore: the store's role for the audit log of admin changes. Synchronous and durable when
// a call returns. Thread-safe.

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace gaia::store {

using core::Result;
using core::Status;

struct AuditEntry {
  std::string actor;   // who: a user name
  std::string action;  // e.g. "user.create"
  std::string target;
  std::string before;  // JSON, or empty
  std::string after;   // JSON, or empty
  int64_t at_ms = 0;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  virtual Status append_audit(const AuditEntry& entry) = 0;
  // Entries at or after `since_ms`, oldest first.
  virtual Result<std::vector<AuditEntry>> audit_since(int64_t since_ms) = 0;
};

namespace detail {

// Passes every AuditStore call to Base's forward_to<AuditStore>() (see detail/roles.h).
template <class Base>
class ForwardAuditStore : public Base {
 public:
  using Base::Base;
  Status append_audit(const AuditEntry& entry) override { return to().append_audit(entry); }
  Result<std::vector<AuditEntry>> audit_since(int64_t since_ms) override {
    return to().audit_since(since_ms);
  }

 private:
  AuditStore& to() { return this->template forward_to<AuditStore>(); }
};

}  // namespace detail
}  // namespace gaia::store
