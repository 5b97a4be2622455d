#include "store/store.h"

namespace gaia::store {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kService:
      return "service";
    case Role::kUser:
      return "user";
  }
  return "user";
}

std::optional<Role> parse_role(std::string_view name) {
  if (name == "admin") return Role::kAdmin;
  if (name == "service") return Role::kService;
  if (name == "user") return Role::kUser;
  return std::nullopt;
}

std::string_view granularity_name(Granularity g) {
  switch (g) {
    case Granularity::kMinute:
      return "minute";
    case Granularity::kHour:
      return "hour";
    case Granularity::kDay:
      return "day";
  }
  return "minute";
}

std::optional<Granularity> parse_granularity(std::string_view name) {
  if (name == "minute") return Granularity::kMinute;
  if (name == "hour") return Granularity::kHour;
  if (name == "day") return Granularity::kDay;
  return std::nullopt;
}

Result<std::vector<bool>> Store::commit_batch(const WriteBatch&, std::optional<JournalMark>) {
  return Status::internal("this store cannot commit batches directly");
}

Result<uint64_t> Store::journal_applied_through(uint64_t) {
  return Status::internal("this store keeps no journal marks");
}

}  // namespace gaia::store
