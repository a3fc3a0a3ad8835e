#include "automation/http/openapi.hpp"

#include <algorithm>
#include <cctype>

namespace automation::http {
namespace {

constexpr std::string_view kMessageRef = R"({"$ref": "#/components/schemas/Message"})";
constexpr std::string_view kErrorRef = R"({"$ref": "#/components/schemas/Error"})";

// Schemas more than one route answers with (SPEC §2-§3).
nlohmann::json shared_schemas() {
  return nlohmann::json::parse(R"({
    "Message": {
      "type": "object", "required": ["message"],
      "properties": {"message": {"type": "string"}}
    },
    "Error": {
      "type": "object", "required": ["message"],
      "properties": {
        "message": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "Each invalid field and why"}
      }
    },
    "Role": {
      "type": "object", "required": ["identifier", "name", "level"],
      "properties": {
        "identifier": {"type": "string"},
        "name": {"type": "string"},
        "level": {"type": "integer", "minimum": 0, "description": "Lower is more privileged"}
      }
    },
    "User": {
      "type": "object", "required": ["identifier", "username", "role", "email", "name", "lastname"],
      "properties": {
        "identifier": {"type": "string"},
        "username": {"type": "string"},
        "role": {"$ref": "#/components/schemas/Role"},
        "email": {"type": "string"},
        "name": {"type": "string", "nullable": true},
        "lastname": {"type": "string", "nullable": true}
      }
    },
    "Session": {
      "type": "object",
      "required": ["id", "username", "created_on", "expires_on", "last_used_on", "client_address"],
      "properties": {
        "id": {"type": "string", "description": "Public handle; never the key"},
        "username": {"type": "string"},
        "created_on": {"type": "string", "description": "UTC, YYYY-MM-DD HH:MM:SS"},
        "expires_on": {"type": "string", "nullable": true, "description": "null: never"},
        "last_used_on": {"type": "string", "nullable": true,
                         "description": "UTC; recorded at most once a minute, and only while AUTOMATION_SESSION_IDLE_TIMEOUT is set; null: no use recorded since the login"},
        "client_address": {"type": "string", "nullable": true,
                           "description": "Where the login came from"},
        "created_at": {"type": "integer"},
        "expires_at": {"type": "integer"},
        "last_used_at": {"type": "integer"}
      }
    }
  })");
}

nlohmann::json security_schemes() {
  return nlohmann::json::parse(R"({
    "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-KEY",
               "description": "The apiKey of POST /api/users/login, or a third-party token"},
    "TokenAuthorization": {"type": "apiKey", "in": "header", "name": "Authorization",
                           "description": "`Token <key>`, as PyAutomation sends it"},
    "BearerAuthorization": {"type": "http", "scheme": "bearer",
                            "description": "`Bearer <key>`"},
    "SessionCookie": {"type": "apiKey", "in": "cookie", "name": "automation_session",
                      "description": "The browser session of the login page (/login); a state-changing request must come from this site (Origin, or Referer) or an origin AUTOMATION_CORS_ORIGINS lists"}
  })");
}

nlohmann::json response(std::string_view description, std::string_view schema,
                        std::string_view content_type = "application/json") {
  return {{"description", description},
          {"content", {{content_type, {{"schema", nlohmann::json::parse(schema)}}}}}};
}

// The answers every route of a kind gives, whatever its handler does.
void add_derived_responses(const Route& route, nlohmann::json& responses) {
  auto add = [&responses](int status, std::string_view description) {
    const std::string code = std::to_string(status);
    if (!responses.contains(code)) responses[code] = response(description, kErrorRef);
  };
  if (!route.doc.request_body.empty()) {
    add(400, "`Malformed JSON body`; a missing field or one of the wrong type (`Input payload "
             "validation failed`, each named in `errors` after upstream's help text for it); or "
             "an invalid value (named in `errors`)");
    add(413, "Body over 64 KiB");
  }
  if (route.key_policy == KeyPolicy::kRequired ||
      route.key_policy == KeyPolicy::kRequiredEvenBeforePasswordChange ||
      route.key_policy == KeyPolicy::kRequiredForMfaEnrollment) {
    add(401, "`Key is missing.` (no key sent) or `Invalid token` (unknown, expired, revoked "
             "or malformed key)");
  } else if (route.key_policy == KeyPolicy::kOptional) {
    add(401, "`Invalid token`: a key was sent and is not valid");
  }
  // A change stands only with its audit event (docs/security-controls.md "Notes on the audit chain").
  std::string busy;
  if (route.execution == Execution::kWorkerPool) busy = "The password-hashing queue is full";
  // Forward authentication answers every method a proxy passes on, and writes nothing.
  if (route.method != Method::kGet && route.method != Method::kHead &&
      route.key_policy != KeyPolicy::kForwarded) {
    busy += busy.empty() ? "The" : ", or the";
    busy += " change's audit event could not be written (nothing was changed)";
  }
  if (!busy.empty()) add(503, busy + "; retry after `Retry-After` seconds");
}

nlohmann::json operation(const Route& route) {
  const OperationDoc& doc = route.doc;
  nlohmann::json op = {{"summary", doc.summary},
                       {"tags", {doc.tag}},
                       {"operationId", std::string(to_string(route.method)) + " " + route.pattern}};
  if (!doc.description.empty()) op["description"] = doc.description;

  nlohmann::json parameters = nlohmann::json::array();
  const std::string_view descriptions[] = {doc.path_parameter, doc.second_path_parameter};
  std::size_t named = 0;
  for (auto colon = route.pattern.find(':'); colon != std::string::npos;
       colon = route.pattern.find(':', colon + 1)) {
    const auto end = route.pattern.find('/', colon);
    const std::string name = route.pattern.substr(colon + 1, end - colon - 1);
    const std::string_view description = named < std::size(descriptions) ? descriptions[named] : "";
    ++named;
    parameters.push_back({{"name", name},
                          {"in", "path"},
                          {"required", true},
                          {"description", description},
                          {"schema", {{"type", "string"}}}});
  }
  if (!doc.query_parameters.empty()) {
    for (auto& parameter : nlohmann::json::parse(doc.query_parameters)) {
      parameters.push_back(std::move(parameter));
    }
  }
  if (!parameters.empty()) op["parameters"] = std::move(parameters);

  if (!doc.request_body.empty()) {
    const auto schema = nlohmann::json::parse(doc.request_body);
    op["requestBody"] = {
        {"required", true},
        {"description", "JSON, or an HTML form with the same fields (numbers as decimal text)"},
        {"content",
         {{"application/json", {{"schema", schema}}},
          {"application/x-www-form-urlencoded", {{"schema", schema}}}}}};
  }

  nlohmann::json responses = nlohmann::json::object();
  for (const ResponseDoc& answer : doc.responses) {
    const std::string_view schema = answer.schema.empty()
                                        ? (answer.status < 400 ? kMessageRef : kErrorRef)
                                        : answer.schema;
    responses[std::to_string(answer.status)] =
        response(answer.description, schema, answer.content_type);
  }
  add_derived_responses(route, responses);
  op["responses"] = std::move(responses);

  switch (route.key_policy) {
    case KeyPolicy::kNone:
      op["security"] = nlohmann::json::array();
      break;
    case KeyPolicy::kOptional:
      op["security"] = nlohmann::json::parse(
          R"([{"ApiKey": []}, {"TokenAuthorization": []}, {"BearerAuthorization": []}, {}])");
      break;
    case KeyPolicy::kRequired:
    case KeyPolicy::kRequiredEvenBeforePasswordChange:
    case KeyPolicy::kRequiredForMfaEnrollment:
      break;  // the document's default
    case KeyPolicy::kForwarded:
      op["security"] = nlohmann::json::parse(
          R"([{"ApiKey": []}, {"TokenAuthorization": []}, {"BearerAuthorization": []},
              {"SessionCookie": []}])");
      break;
    case KeyPolicy::kBrowserSession:
      op["security"] = nlohmann::json::parse(R"([{"SessionCookie": []}, {}])");
      break;
  }
  return op;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string openapi_path(std::string_view pattern) {
  std::string path;
  path.reserve(pattern.size() + 2);
  bool in_parameter = false;
  for (const char c : pattern) {
    if (c == ':' && (path.empty() || path.back() == '/')) {
      path += '{';
      in_parameter = true;
    } else if (c == '/' && in_parameter) {
      path += "}/";
      in_parameter = false;
    } else {
      path += c;
    }
  }
  if (in_parameter) path += '}';
  return path;
}

nlohmann::json openapi_document(std::span<const Route> routes) {
  nlohmann::json paths = nlohmann::json::object();
  for (const Route& route : routes) {
    paths[openapi_path(route.pattern)][lower(to_string(route.method))] = operation(route);
  }
  nlohmann::json document = {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "automation users API"},
        {"version", AUTOMATION_VERSION},
        {"description",
         "Users, roles, sessions and third-party tokens, compatible with PyAutomation's users "
         "API. Every body is JSON, errors included: `{\"message\"}` plus `\"errors\"` naming "
         "each invalid field. A path that exists with another method answers 405 with `Allow`; "
         "an unknown path 404. Request bodies of POST and PUT routes are JSON or HTML forms "
         "(`application/x-www-form-urlencoded`). Browsers on other origins are answered per "
         "AUTOMATION_CORS_ORIGINS (a preflight `OPTIONS` on any path answers 204)."}}},
      {"servers", {{{"url", "/"}}}},
      // The order the docs page shows the groups in (OperationDoc::tag).
      {"tags", nlohmann::json::parse(R"([
        {"name": "users", "description": "Sessions, accounts and passwords"},
        {"name": "mfa", "description": "Multi-factor authentication: TOTP and recovery codes"},
        {"name": "roles", "description": "Roles and their levels"},
        {"name": "tpts", "description": "Third-party tokens for machines"},
        {"name": "audit", "description": "Security events"},
        {"name": "signatures", "description": "Electronic signatures: 21 CFR Part 11"},
        {"name": "health", "description": "Probes"},
        {"name": "front door", "description": "Browser sign-in and forward authentication for reverse proxies"},
        {"name": "console", "description": "The web console's page and files"},
        {"name": "oidc", "description": "OpenID Connect provider: discovery and signing keys"},
        {"name": "docs", "description": "This description and its viewer"},
        {"name": "metrics", "description": "Prometheus"}])")},
      {"paths", std::move(paths)},
      {"components",
       {{"schemas", shared_schemas()},
        {"securitySchemes", security_schemes()},
        {"responses",
         {{"NotFound", response("Unknown path", kErrorRef)},
          {"MethodNotAllowed",
           response("The path exists with other methods, listed in `Allow`", kErrorRef)}}}}},
      // Key-checked routes take the key in any of the three forms; routes without a key say so.
      {"security", nlohmann::json::parse(
                       R"([{"ApiKey": []}, {"TokenAuthorization": []}, {"BearerAuthorization": []}])")},
  };
  return document;
}

}  // namespace automation::http
