#pragma once

// The OpenAPI 3.0 document of the API, built from the route table: one operation per route,
// from the route's method, pattern, key policy, execution and OperationDoc (written next to
// the route in routes_*.cpp). Shared schemas and the security schemes live in openapi.cpp.

#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "automation/http/routes.hpp"

namespace automation::http {

// "/api/users/:username" -> "/api/users/{username}".
std::string openapi_path(std::string_view pattern);

// The whole document. Throws nlohmann::json::parse_error when a route's doc holds JSON text
// that does not parse (a programming error, caught by the unit tests).
nlohmann::json openapi_document(std::span<const Route> routes);

}  // namespace automation::http
