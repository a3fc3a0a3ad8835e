#include "automation/core/time_format.hpp"

#include <ctime>

namespace automation {

std::string format_utc(UnixSeconds time) {
  const std::time_t t = static_cast<std::time_t>(time);
  std::tm parts{};
  gmtime_r(&t, &parts);
  char buffer[32];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &parts);
  return std::string(buffer, n);
}

}  // namespace automation
