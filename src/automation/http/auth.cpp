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
  // An empty or blank X-API-KEY is no key: it must not hide a key sent in Authorization.
  if (request.x_api_key) {
    extracted.key = trim(*request.x_api_key);
    if (!extracted.key.empty()) {
      extracted.present = true;
      return extracted;
    }
  }
  if (!request.authorization) return extracted;
  const std::string_view value = trim(*request.authorization);
  if (value.empty()) return extracted;
  const auto space = value.find_first_of(" \t");
  const std::string_view scheme = value.substr(0, space);
  if (!iequals_ascii(scheme, "Token") && !iequals_ascii(scheme, "Bearer")) {
    // Another scheme (Basic, ...) carries a credential, but none of ours: a bad key.
    extracted.present = true;
    extracted.malformed = true;
    return extracted;
  }
  // "Token" or "Bearer" without a key after it is no key.
  extracted.key = space == std::string_view::npos ? std::string_view() : trim(value.substr(space));
  extracted.present = !extracted.key.empty();
  return extracted;
}

Result<Caller> authenticate_caller(AuthorizedApi& api, const Request& request, KeyPolicy policy) {
  Caller caller{std::nullopt, request.address};
  if (policy == KeyPolicy::kNone) return caller;
  const ExtractedKey extracted = extract_api_key(request);
  if (!extracted.present && policy == KeyPolicy::kOptional) return caller;
  if (extracted.malformed) return fail(ErrorCode::kUnauthenticated, "Invalid token");
  // No key at all reaches the core as "", which answers "Key is missing.".
  KeyPurpose purpose = KeyPurpose::kAnyOperation;
  if (policy == KeyPolicy::kRequiredEvenBeforePasswordChange) {
    purpose = KeyPurpose::kPasswordChangeOrLogout;
  } else if (policy == KeyPolicy::kRequiredForMfaEnrollment) {
    purpose = KeyPurpose::kMfaEnrollment;
  }
  auto principal = api.authenticate(extracted.key, purpose);
  if (!principal) return fail(std::move(principal.error()));
  caller.principal = std::move(*principal);
  return caller;
}

}  // namespace automation::http
