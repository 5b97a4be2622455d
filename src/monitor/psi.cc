#include "monitor/psi.h"

#include "monitor/detail/text.h"

namespace gaia::monitor {

namespace {

core::Result<PsiLine> parse_line(const std::vector<std::string_view>& fields) {
  PsiLine line;
  bool has_avg10 = false, has_total = false;
  for (size_t i = 1; i < fields.size(); ++i) {
    size_t eq = fields[i].find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = fields[i].substr(0, eq), value = fields[i].substr(eq + 1);
    if (key == "total") {
      auto v = detail::parse_u64(value);
      if (!v) return core::Status::invalid_argument("pressure: bad total");
      line.total_us = *v;
      has_total = true;
      continue;
    }
    double* slot = key == "avg10"    ? &line.avg10
                   : key == "avg60"  ? &line.avg60
                   : key == "avg300" ? &line.avg300
                                     : nullptr;
    if (slot == nullptr) continue;
    auto v = detail::parse_double(value);
    if (!v) return core::Status::invalid_argument("pressure: bad " + std::string(key));
    *slot = *v;
    has_avg10 |= key == "avg10";
  }
  if (!has_avg10 || !has_total) return core::Status::invalid_argument("pressure: short line");
  return line;
}

}  // namespace

core::Result<Pressure> parse_pressure(std::string_view text) {
  std::optional<PsiLine> some, full;
  for (std::string_view raw : detail::lines(text)) {
    auto fields = detail::split_ws(raw);
    if (fields.empty() || (fields[0] != "some" && fields[0] != "full")) continue;
    auto line = parse_line(fields);
    if (!line.ok()) return line.status();
    (fields[0] == "some" ? some : full) = line.value();
  }
  if (!some) return core::Status::invalid_argument("pressure: no \"some\" line");
  return Pressure{*some, full};
}

Psi read_psi(const std::filesystem::path& root) {
  auto read = [&](const char* name) -> std::optional<Pressure> {
    auto text = detail::read_text(root / "proc/pressure" / name);
    if (!text.ok()) return std::nullopt;
    auto pressure = parse_pressure(text.value());
    if (!pressure.ok()) return std::nullopt;
    return pressure.value();
  };
  return Psi{read("cpu"), read("memory"), read("io")};
}

}  // namespace gaia::monitor
