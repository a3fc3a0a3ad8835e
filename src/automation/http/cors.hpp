#pragma once

// Cross-origin resource sharing (AUTOMATION_CORS_ORIGINS): which web pages of other origins
// may read the API's answers in a browser, and the headers that say so. Upstream PyAutomation
// answers every route for any origin (flask-cors, origins "*"); `*` is the default here too,
// sent as the literal `*`, which browsers never combine with credentials, so a cookie can
// never authenticate another origin's request through it. A list of origins is answered with
// the origin itself, credentials allowed, and `Vary: Origin`.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace automation::http {

class CorsPolicy {
 public:
  enum class Mode { kAnyOrigin, kListed, kOff };

  // What a CORS answer carries; allow_origin empty: no CORS headers.
  struct Answer {
    std::string_view allow_origin;  // "*" or the request's own Origin (valid as long as it)
    bool allow_credentials = false;
    bool vary_origin = false;  // the answer depends on Origin (listed origins)
  };

  // Headers of a preflight's answer (and exposed on every answer).
  static constexpr std::string_view kAllowedMethods = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
  // What PyAutomation's clients send: the key in either header, a JSON body, a request id.
  static constexpr std::string_view kAllowedHeaders =
      "X-API-KEY, Authorization, Content-Type, X-Request-Id";
  static constexpr std::string_view kExposedHeaders = "Retry-After, X-Request-Id";
  // Seconds a browser may reuse a preflight's answer.
  static constexpr std::string_view kMaxAgeSeconds = "600";

  CorsPolicy() = default;  // kAnyOrigin
  // `origins` (kListed): serialized origins, lower case, as the settings table normalizes them.
  CorsPolicy(Mode mode, std::vector<std::string> origins);

  Mode mode() const { return mode_; }
  bool enabled() const { return mode_ != Mode::kOff; }
  // True when `origin` (an Origin header's value) is on the list (kListed only).
  bool lists(std::string_view origin) const;
  // The CORS answer to a request whose Origin header is `origin` (nullopt: none was sent,
  // so the request is no cross-origin one: nothing to add).
  Answer answer(std::optional<std::string_view> origin) const;

 private:
  Mode mode_ = Mode::kAnyOrigin;
  std::vector<std::string> origins_;
};

}  // namespace automation::http
