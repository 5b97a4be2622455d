#include "store/journal/record.h"

#include <array>
#include <cstring>
#include <optional>

namespace gaia::store::journal {
namespace {

// kViolation: one refusal, as journals written before episodes hold; kViolationEpisode adds
// the count and the span, and is what is written now.
enum Kind : uint8_t {
  kExecution = 1,
  kUsage = 2,
  kViolation = 3,
  kDecision = 4,
  kViolationEpisode = 5
};

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;  // Castagnoli
    table[i] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrcTable = make_crc_table();

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_i64(std::string& out, int64_t v) { put_u64(out, static_cast<uint64_t>(v)); }
void put_str(std::string& out, std::string_view s) {
  put_u32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}
void put_opt(std::string& out, const std::optional<int>& v) {
  out.push_back(v ? 1 : 0);
  put_i64(out, v.value_or(0));
}

// Reads fields in order; any read past the end sets `bad`.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  uint64_t u64() { return raw(8); }
  uint32_t u32() { return static_cast<uint32_t>(raw(4)); }
  int64_t i64() { return static_cast<int64_t>(raw(8)); }
  uint8_t u8() { return static_cast<uint8_t>(raw(1)); }
  std::string str() {
    uint32_t n = u32();
    if (bad_ || n > in_.size()) {
      bad_ = true;
      return {};
    }
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  std::optional<int> opt() {
    uint8_t has = u8();
    int64_t v = i64();
    if (has) return static_cast<int>(v);
    return std::nullopt;
  }
  bool ok() const { return !bad_ && in_.empty(); }

 private:
  uint64_t raw(size_t n) {
    if (bad_ || in_.size() < n) {
      bad_ = true;
      return 0;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t{static_cast<uint8_t>(in_[i])} << (8 * i);
    in_.remove_prefix(n);
    return v;
  }
  std::string_view in_;
  bool bad_ = false;
};

void encode_payload(const Record& r, std::string& out) {
  put_u64(out, r.seq);
  if (const auto* e = std::get_if<Execution>(&r.write)) {
    out.push_back(kExecution);
    put_str(out, e->id);
    put_u64(out, e->user_id);
    put_u64(out, e->key_id);
    put_str(out, e->type);
    put_str(out, e->command);
    put_i64(out, e->started_at_ms);
    put_i64(out, e->duration_ms);
    put_i64(out, e->cpu_ms);
    put_i64(out, e->peak_memory_bytes);
    put_opt(out, e->exit_code);
    put_opt(out, e->signal);
  } else if (const auto* u = std::get_if<Usage>(&r.write)) {
    out.push_back(kUsage);
    put_u64(out, u->user_id);
    put_u64(out, u->key_id);
    put_str(out, u->type);
    put_i64(out, u->day_start_ms);
    put_u64(out, u->used);
  } else if (const auto* d = std::get_if<ConfirmDecision>(&r.write)) {
    out.push_back(kDecision);
    put_i64(out, d->at_ms);
    put_str(out, d->user);
    put_u64(out, d->key_id);
    put_str(out, d->command);
    put_str(out, d->cwd);
    put_str(out, d->session_id);
    put_str(out, d->tool);
    put_str(out, d->decision);
    put_str(out, d->source);
    put_str(out, d->pattern_id);
    put_str(out, d->reason);
    out.push_back(d->reviewer_latency_ms ? 1 : 0);
    put_i64(out, d->reviewer_latency_ms.value_or(0));
  } else {
    const auto& v = std::get<Violation>(r.write);
    out.push_back(kViolationEpisode);
    put_u64(out, v.user_id);
    put_u64(out, v.key_id);
    put_str(out, v.type);
    put_str(out, v.limit);
    put_str(out, v.command);
    put_i64(out, v.at_ms);
    put_u64(out, v.count);
    put_i64(out, v.span_ms);
  }
}

bool decode_payload(std::string_view payload, Record& r) {
  Reader in(payload);
  r.seq = in.u64();
  const uint8_t kind = in.u8();
  switch (kind) {
    case kExecution: {
      Execution e;
      e.id = in.str();
      e.user_id = in.u64();
      e.key_id = in.u64();
      e.type = in.str();
      e.command = in.str();
      e.started_at_ms = in.i64();
      e.duration_ms = in.i64();
      e.cpu_ms = in.i64();
      e.peak_memory_bytes = in.i64();
      e.exit_code = in.opt();
      e.signal = in.opt();
      r.write = std::move(e);
      break;
    }
    case kUsage: {
      Usage u;
      u.user_id = in.u64();
      u.key_id = in.u64();
      u.type = in.str();
      u.day_start_ms = in.i64();
      u.used = in.u64();
      r.write = std::move(u);
      break;
    }
    case kViolation:
    case kViolationEpisode: {
      Violation v;
      v.user_id = in.u64();
      v.key_id = in.u64();
      v.type = in.str();
      v.limit = in.str();
      v.command = in.str();
      v.at_ms = in.i64();
      if (kind == kViolationEpisode) {
        v.count = in.u64();
        v.span_ms = in.i64();
      }
      r.write = std::move(v);
      break;
    }
    case kDecision: {
      ConfirmDecision d;
      d.at_ms = in.i64();
      d.user = in.str();
      d.key_id = in.u64();
      d.command = in.str();
      d.cwd = in.str();
      d.session_id = in.str();
      d.tool = in.str();
      d.decision = in.str();
      d.source = in.str();
      d.pattern_id = in.str();
      d.reason = in.str();
      const uint8_t has_latency = in.u8();
      const int64_t latency = in.i64();
      if (has_latency) d.reviewer_latency_ms = latency;
      r.write = std::move(d);
      break;
    }
    default:
      return false;
  }
  return in.ok();
}

}  // namespace

uint32_t crc32c(std::string_view data) {
  uint32_t c = 0xFFFFFFFFu;
  for (char ch : data) c = kCrcTable[(c ^ static_cast<uint8_t>(ch)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

void encode(const Record& record, std::string& out) {
  const size_t header = out.size();
  out.append(8, '\0');  // length and checksum, filled in below
  encode_payload(record, out);
  std::string_view payload(out.data() + header + 8, out.size() - header - 8);
  std::string frame;
  put_u32(frame, static_cast<uint32_t>(payload.size()));
  put_u32(frame, crc32c(payload));
  std::memcpy(out.data() + header, frame.data(), 8);
}

bool decode(std::string_view in, Record& record, size_t& size) {
  if (in.size() < 8) return false;
  Reader frame(in.substr(0, 8));
  const uint32_t length = frame.u32();
  const uint32_t crc = frame.u32();
  if (in.size() - 8 < length) return false;
  std::string_view payload = in.substr(8, length);
  if (crc32c(payload) != crc || !decode_payload(payload, record)) return false;
  size = 8 + size_t{length};
  return true;
}

}  // namespace gaia::store::journal
