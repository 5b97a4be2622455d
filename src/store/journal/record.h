#pragma once
// The journal's record format: one write (an execution, a usage delta, a violation episode or
// a confirmation decision) with
// its sequence number, framed as [u32 length][u32 CRC-32C of payload][payload], little-endian.
// A frame whose length runs past the end of the file or whose checksum fails ends the
// readable part: a torn tail left by a crash mid-write. Pure functions; any thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "store/store.h"

namespace gaia::store::journal {

using Write = std::variant<Execution, Usage, Violation, ConfirmDecision>;

struct Record {
  uint64_t seq = 0;  // from 1 within its segment, increasing
  Write write;
};

// Appends the framed record to `out`.
void encode(const Record& record, std::string& out);

// Reads the record framed at the start of `in` into `record` and the bytes it took into
// `size`; false when `in` holds no whole, intact record.
bool decode(std::string_view in, Record& record, size_t& size);

uint32_t crc32c(std::string_view data);

}  // namespace gaia::store::journal
