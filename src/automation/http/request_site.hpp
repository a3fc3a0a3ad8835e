#pragma once

// Where a browser says a request comes from (Origin, or Referer without it), judged against
// this service's own host (the Host header) and the origins AUTOMATION_CORS_ORIGINS lists:
// the cross-site check a cookie-authenticated request must pass (SPEC §8). As in Go's
// CrossOriginProtection, "own" means the same host and port; the scheme is not compared, so a
// TLS proxy in front changes nothing.

#include "automation/http/cors.hpp"
#include "automation/http/http_message.hpp"

namespace automation::http {

enum class RequestSite {
  kTrusted,   // this service's own origin, or one CORS lists
  kForeign,   // another origin, "null", or one that cannot be read
  kUnstated,  // neither Origin nor Referer was sent
};

// What the Origin header says; kUnstated when there is none.
RequestSite origin_site(const Request& request, const CorsPolicy& cors);
// What the Origin header says, or without one what Referer says.
RequestSite request_site(const Request& request, const CorsPolicy& cors);

}  // namespace automation::http
