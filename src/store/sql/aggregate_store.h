#pragma once
// What the SQL dialects share for the analytics aggregates: statements written once with numbered
// parameters (?1, ...), which sqlite/aggregate_store.cc runs as they are and
// postgres/aggregate_store.cc as detail::postgres_text<...> ($1, ...). Statements whose text
// differs stay in the backend files.

namespace gaia::store::sql {

inline constexpr char kDeleteAggregatesBefore[] =
    "DELETE FROM analytics_aggregates WHERE granularity = ?1 AND bucket_start_ms < ?2";

}  // namespace gaia::store::sql
