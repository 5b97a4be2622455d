#include "cli/detail/json_pretty.h"

#include <boost/json.hpp>

namespace gaia::cli::detail {
namespace {

void write(const boost::json::value& v, const std::string& indent, std::string& out) {
  const std::string inner = indent + "  ";
  if (const boost::json::object* o = v.if_object(); o != nullptr && !o->empty()) {
    out += "{\n";
    size_t i = 0;
    for (const auto& member : *o) {
      out += inner + boost::json::serialize(boost::json::string(member.key())) + ": ";
      write(member.value(), inner, out);
      out += ++i < o->size() ? ",\n" : "\n";
    }
    out += indent + "}";
  } else if (const boost::json::array* a = v.if_array(); a != nullptr && !a->empty()) {
    out += "[\n";
    for (size_t n = 0; n < a->size(); ++n) {
      out += inner;
      write((*a)[n], inner, out);
      out += n + 1 < a->size() ? ",\n" : "\n";
    }
    out += indent + "]";
  } else {
    out += boost::json::serialize(v);  // a scalar, {} or []
  }
}

}  // namespace

std::string pretty_json(const boost::json::value& v) {
  std::string out;
  write(v, "", out);
  return out + "\n";
}

}  // namespace gaia::cli::detail
