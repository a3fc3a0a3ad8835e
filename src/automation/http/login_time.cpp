#include "automation/http/login_time.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <exception>

namespace automation::http {

Result<LoginTime> LoginTime::create(const std::string& zone_name) {
  try {
    const date::time_zone* zone = date::locate_zone(zone_name);
    return LoginTime(zone, zone_name);
  } catch (const std::exception&) {
    return fail(ErrorCode::kInvalidArgument, "Unknown time zone '" + zone_name + "'");
  }
}

std::string LoginTime::format(UnixSeconds time) const {
  const auto instant = std::chrono::sys_seconds(std::chrono::seconds(time));
  const auto zoned = date::make_zoned(zone_, instant);
  return date::format("%m/%d/%Y, %H:%M:%S", zoned.get_local_time());
}

}  // namespace automation::http
