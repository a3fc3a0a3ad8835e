#include "automation/http/request_site.hpp"

#include "automation/core/web_origin.hpp"

namespace automation::http {
namespace {

RequestSite judge(const std::optional<WebOrigin>& origin, const Request& request,
                  const CorsPolicy& cors) {
  if (!origin) return RequestSite::kForeign;
  if (const auto host = request.headers.find("Host"); host && same_authority(*origin, *host)) {
    return RequestSite::kTrusted;
  }
  return cors.lists(origin->serialize()) ? RequestSite::kTrusted : RequestSite::kForeign;
}

}  // namespace

RequestSite origin_site(const Request& request, const CorsPolicy& cors) {
  if (const auto origin = request.headers.find("Origin")) {
    return judge(parse_origin(*origin), request, cors);
  }
  return RequestSite::kUnstated;
}

RequestSite request_site(const Request& request, const CorsPolicy& cors) {
  if (const auto site = origin_site(request, cors); site != RequestSite::kUnstated) return site;
  if (const auto referer = request.headers.find("Referer")) {
    return judge(origin_of_url(*referer), request, cors);
  }
  return RequestSite::kUnstated;
}

}  // namespace automation::http
