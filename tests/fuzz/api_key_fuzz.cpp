// X-API-KEY and Authorization header values -> the API key of a request.
//
// Input: one flags byte (bit 0: X-API-KEY sent, bit 1: Authorization sent), then the
// X-API-KEY value, a '\n', and the Authorization value (a missing '\n' leaves the second
// value empty). Header values cannot contain '\n' on the wire, so the split loses nothing.
// Invariants: the key is a trimmed, non-empty view into one of the two header values exactly
// when it is present and well-formed; X-API-KEY wins whenever it carries a key.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "automation/http/auth.hpp"

#include "fuzz_invariant.hpp"

namespace {

using automation::fuzzing::invariant_broken;

bool views_into(std::string_view part, const std::string& whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned flags = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto newline = rest.find('\n');
  automation::http::Request request;
  if (flags & 1u) request.x_api_key = std::string(rest.substr(0, newline));
  if (flags & 2u) {
    request.authorization =
        newline == std::string_view::npos ? std::string() : std::string(rest.substr(newline + 1));
  }

  const auto extracted = automation::http::extract_api_key(request);
  if (extracted.malformed && !extracted.present) invariant_broken("malformed but not present");
  if (extracted.malformed || !extracted.present) {
    if (!extracted.key.empty()) invariant_broken("a key that is not usable is not empty");
    if (extracted.present) return 0;
    if (request.x_api_key && request.x_api_key->find_first_not_of(" \t") != std::string::npos) {
      invariant_broken("a non-blank X-API-KEY was not taken");
    }
    return 0;
  }
  const std::string_view key = extracted.key;
  if (key.empty()) invariant_broken("a present key is empty");
  if (is_blank(key.front()) || is_blank(key.back())) invariant_broken("the key is not trimmed");
  const bool from_x_api_key = request.x_api_key && views_into(key, *request.x_api_key);
  const bool from_authorization = request.authorization && views_into(key, *request.authorization);
  if (!from_x_api_key && !from_authorization) invariant_broken("the key views no header");
  if (!from_x_api_key && request.x_api_key &&
      request.x_api_key->find_first_not_of(" \t") != std::string::npos) {
    invariant_broken("Authorization won over a non-blank X-API-KEY");
  }
  return 0;
}
