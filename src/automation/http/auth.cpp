#include "automation/http/auth.hpp"

#include <utility>

#include "automation/core/text.hpp"

namespace automation::http {
namespace {

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t";
  const auto begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

}  // namespace

ExtractedKey extract_api_key(const Request& request) {
  ExtractedKey extracted;
  if (request.x_api_key) {
    extracted.present = true;
    extracted.key = trim(*request.x_api_key);
    return extracted;
  }
  if (!request.authorization) return extracted;
  extracted.present = true;
  const std::string_view value = trim(*request.authorization);
  const auto space = value.find_first_of(" \t");
  const std::string_view scheme = value.substr(0, space);
  if (space == std::string_view::npos ||
      !(iequals_ascii(scheme, "Token") || iequals_ascii(scheme, "Bearer"))) {
    // "Token" alone means an empty key ("Token is required"); any other scheme is no key of ours.
    extracted.malformed = !(iequals_ascii(scheme, "Token") || iequals_ascii(scheme, "Bearer"));
    return extracted;
  }
  extracted.key = trim(value.substr(space));
  return extracted;
}

Result<Caller> authenticate_caller(AuthorizedApi& api, const Request& request, KeyPolicy policy) {
  Caller caller{std::nullopt, request.address};
  if (policy == KeyPolicy::kNone) return caller;
  const ExtractedKey extracted = extract_api_key(request);
  if (!extracted.present && policy == KeyPolicy::kOptional) return caller;
  if (extracted.malformed) return fail(ErrorCode::kUnauthenticated, "Invalid token");
  // An empty key is "Token is required" (the core's answer to "").
  auto principal = api.authenticate(extracted.key);
  if (!principal) return fail(std::move(principal.error()));
  caller.principal = std::move(*principal);
  return caller;
}

}  // namespace automation::http
