#pragma once
// ComposedStore: a Store made of one object per role, which it owns; role calls go to those
// objects (see roles.h). A backend (sqlite::SqliteStore, postgres::PostgresStore) derives
// from it, hands it its role objects and its write queue, and implements what is left: the
// batch commit the queue and the journal call.
//
// Ownership: the role objects are owned here; the write queue is the backend's and must
// outlive every call. Threads: as the role objects (each is thread-safe).

#include <functional>
#include <memory>
#include <utility>

#include "store/detail/roles.h"
#include "store/store.h"
#include "store/write_queue.h"

namespace gaia::store::detail {

class ComposedStoreBase : public Store {
 public:
  Status flush() override { return queue_->flush(); }
  StoreHealth health() override { return queue_->health(); }
  void set_commit_observer(std::function<void(double)> observer) override {
    queue_->set_commit_observer(std::move(observer));
  }

 protected:
  ComposedStoreBase() = default;

  // The backend's constructor calls it once, before the store is shared.
  void compose(RoleObjects roles, WriteQueue& queue) {
    roles_ = std::move(roles);
    queue_ = &queue;
  }

  template <class R>
  R& forward_to() {
    return *std::get<std::unique_ptr<R>>(roles_);
  }

 private:
  RoleObjects roles_;
  WriteQueue* queue_ = nullptr;
};

using ComposedStore = ForwardRoles<ComposedStoreBase>;

}  // namespace gaia::store::detail
