#pragma once
// How a Store passes role calls on without a line per method. Each role header defines
// detail::Forward<Role><Base>, a class template that overrides every method of that role to
// call the same method on `this->template forward_to<Role>()`, which Base provides. Stacking
// every role's forwarder on a Base gives a Store whose role calls all go somewhere else:
//
//   ForwardingStore (forwarding_store.h): forward_to<R>() is the inner Store, so a decorator
//     overrides only the writes it intercepts (EventFeed, journal/ResilientStore).
//   ComposedStore (composed_store.h): forward_to<R>() is an object the backend made for role
//     R (sqlite/<role>.cc, postgres/<role>.cc), so a backend is one file per role.
//
// A new method is written in its role header (declaration and forwarder) and in its two
// backend files; a new role is added here and in store.h.

#include <memory>
#include <tuple>

#include "store/store.h"

namespace gaia::store::detail {

// Every role's forwarder stacked on `Base`.
// REQUIRES: Base derives from Store and has `template <class R> R& forward_to()`.
template <class Base>
using ForwardRoles =
    ForwardUserKeyStore<ForwardRuleStore<ForwardAuditStore<ForwardExecutionStore<ForwardUsageStore<
        ForwardViolationStore<ForwardDecisionStore<ForwardAggregateStore<ForwardPatternStore<
            ForwardReputationStore<ForwardAlertStore<ForwardDeadLetterStore<Base>>>>>>>>>>>>;

// One object per role: what a backend is made of.
using RoleObjects = std::tuple<std::unique_ptr<UserKeyStore>, std::unique_ptr<RuleStore>,
                               std::unique_ptr<AuditStore>, std::unique_ptr<ExecutionStore>,
                               std::unique_ptr<UsageStore>, std::unique_ptr<ViolationStore>,
                               std::unique_ptr<DecisionStore>, std::unique_ptr<AggregateStore>,
                               std::unique_ptr<PatternStore>, std::unique_ptr<ReputationStore>,
                               std::unique_ptr<AlertStore>, std::unique_ptr<DeadLetterStore>>;

}  // namespace gaia::store::detail
