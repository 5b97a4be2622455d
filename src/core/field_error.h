#pragma once
// FieldError: why a piece of outside input was refused, naming the field ("limits[1].period")
// and the reason ("must be one of day, week, month"). The edge turns it into a 400.

#include <string>

namespace gaia::core {

struct FieldError {
  std::string field;
  std::string message;
};

}  // namespace gaia::core
