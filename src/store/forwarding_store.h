#pragma once
// ForwardingStore: a Store that passes every call to another Store. Decorators derive from
// it and override only what they add to (see event_feed.h, journal/resilient_store.h).
// Role calls are forwarded by the role headers' forwarders (detail/roles.h), so a new store
// method needs no line here; only the plumbing below is forwarded by hand.
//
// Ownership: the inner store is borrowed and must outlive this one.
// Threads: as the inner store.

#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "store/detail/roles.h"
#include "store/store.h"

namespace gaia::store {
namespace detail {

// Base of ForwardingStore: every role is the inner store's.
class ForwardingBase : public Store {
 public:
  explicit ForwardingBase(Store& inner) : inner_(inner) {}

 protected:
  template <class R>
  R& forward_to() {
    return inner_;
  }
  Store& inner() { return inner_; }
  const Store& inner() const { return inner_; }

 private:
  Store& inner_;
};

}  // namespace detail

class ForwardingStore : public detail::ForwardRoles<detail::ForwardingBase> {
 public:
  explicit ForwardingStore(Store& inner) : detail::ForwardRoles<detail::ForwardingBase>(inner) {}

  Status flush() override { return inner().flush(); }
  StoreHealth health() override { return inner().health(); }
  void set_commit_observer(std::function<void(double)> observer) override {
    inner().set_commit_observer(std::move(observer));
  }
  bool accepts_admissions() const override { return inner().accepts_admissions(); }
  Result<std::vector<bool>> commit_batch(const WriteBatch& batch,
                                         std::optional<JournalMark> mark) override {
    return inner().commit_batch(batch, mark);
  }
  Result<uint64_t> journal_applied_through(uint64_t segment) override {
    return inner().journal_applied_through(segment);
  }
};

}  // namespace gaia::store
