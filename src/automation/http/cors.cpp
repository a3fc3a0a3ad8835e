#include "automation/http/cors.hpp"

#include <algorithm>
#include <utility>

#include "automation/core/text.hpp"

namespace automation::http {

CorsPolicy::CorsPolicy(Mode mode, std::vector<std::string> origins)
    : mode_(mode), origins_(std::move(origins)) {}

bool CorsPolicy::lists(std::string_view origin) const {
  return mode_ == Mode::kListed &&
         std::any_of(origins_.begin(), origins_.end(),
                     [origin](const std::string& listed) { return iequals_ascii(listed, origin); });
}

CorsPolicy::Answer CorsPolicy::answer(std::optional<std::string_view> origin) const {
  Answer answer;
  switch (mode_) {
    case Mode::kOff:
      return answer;
    case Mode::kAnyOrigin:
      if (origin) answer.allow_origin = "*";
      return answer;
    case Mode::kListed:
      // Even an answer without CORS headers depends on Origin: caches must keep them apart.
      answer.vary_origin = true;
      if (origin && lists(*origin)) {
        answer.allow_origin = *origin;
        answer.allow_credentials = true;
      }
      return answer;
  }
  return answer;
}

}  // namespace automation::http
