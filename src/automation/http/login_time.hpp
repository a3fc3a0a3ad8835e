#pragma once

// The login response's `datetime`: a moment rendered in the configured IANA time zone as
// PyAutomation does ("MM/DD/YYYY, HH:MM:SS"). The zone is looked up once, at server start.

#include <string>
#include <utility>

#include "automation/core/error.hpp"
#include "automation/core/model.hpp"

namespace date {
class time_zone;
}  // namespace date

namespace automation::http {

class LoginTime {
 public:
  // kInvalidArgument "Unknown time zone '<name>'" when the OS tz database lacks the name.
  static Result<LoginTime> create(const std::string& zone_name);

  // `time` in the zone as "MM/DD/YYYY, HH:MM:SS".
  std::string format(UnixSeconds time) const;

  const std::string& zone_name() const noexcept { return zone_name_; }

 private:
  LoginTime(const date::time_zone* zone, std::string zone_name)
      : zone_(zone), zone_name_(std::move(zone_name)) {}

  const date::time_zone* zone_;
  std::string zone_name_;
};

}  // namespace automation::http
