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

namespace {

// `row` with its byte fields converted to `To`.
template <class To, class From>
BasicAggregateRow<To> with_bytes(const BasicAggregateRow<From>& row) {
  return {row.granularity,
          row.bucket_start_ms,
          row.user_id,
          row.key_id,
          To(row.type),
          To(row.outcome),
          To(row.limit),
          row.count,
          row.cost,
          row.duration_ms_sum,
          row.duration_ms_max,
          row.cpu_ms_sum,
          row.cpu_ms_max,
          row.peak_memory_max,
          To(row.duration_sketch),
          To(row.cpu_sketch),
          To(row.memory_sketch)};
}

}  // namespace

AggregateRow owned(const AggregateRowView& view) { return with_bytes<std::string>(view); }

AggregateRowView view_of(const AggregateRow& row) { return with_bytes<std::string_view>(row); }

Result<std::vector<AggregateRow>> AggregateStore::list_aggregates(const AggregateFilter& filter) {
  std::vector<AggregateRow> rows;
  Status s =
      scan_aggregates(filter, [&](const AggregateRowView& row) { rows.push_back(owned(row)); });
  if (!s.ok()) return s;
  return rows;
}

Result<std::vector<bool>> Store::commit_batch(const WriteBatch&, std::optional<JournalMark>) {
  return Status::internal("this store cannot commit batches directly");
}

Result<uint64_t> Store::journal_applied_through(uint64_t) {
  return Status::internal("this store keeps no journal marks");
}

}  // namespace gaia::store
