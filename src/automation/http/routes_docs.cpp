// GET /api/openapi.json (the document built from the route table), /api/docs (Swagger UI,
// compiled into the binary) and /api/docs/<file> (its scripts, style sheet and icon).

#include "automation/http/embedded_file.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {
namespace {

const EmbeddedFile* find_docs_file(std::string_view name) {
  return find_embedded_file(docs_files(), name);
}

Response file_response(const EmbeddedFile& file) {
  return typed_response(std::string(file.bytes), content_type_of(file.name));
}

constexpr std::string_view kFileResponse = R"({"type": "string", "format": "binary"})";

}  // namespace

std::vector<Route> docs_routes(std::shared_ptr<const std::string> openapi_json) {
  return {
      {Method::kGet, "/api/openapi.json", KeyPolicy::kNone, Execution::kIoThread,
       [openapi_json](const Request&, const Caller&) {
         return shared_json_response(200, openapi_json);  // shared, not copied per request
       },
       {.tag = "docs",
        .summary = "This document (OpenAPI 3.0)",
        .responses = {{200, "The OpenAPI document", R"({"type": "object"})"}}}},
      {Method::kGet, "/api/docs", KeyPolicy::kNone, Execution::kIoThread,
       [](const Request&, const Caller&) {
         // Served from the binary; without the swagger-ui-dist files the page would be blank.
         if (find_docs_file("swagger-ui-bundle.js") == nullptr) {
           return message_response(503, "Swagger UI is not bundled in this build; the API "
                                        "description is at /api/openapi.json");
         }
         return file_response(*find_docs_file("index.html"));
       },
       {.tag = "docs",
        .summary = "Interactive API documentation (Swagger UI)",
        .responses = {{200, "The Swagger UI page", R"({"type": "string"})", "text/html"},
                      {503, "This build has no Swagger UI files"}}}},
      {Method::kGet, "/api/docs/:file", KeyPolicy::kNone, Execution::kIoThread,
       [](const Request& request, const Caller&) {
         const EmbeddedFile* file = find_docs_file(request.path_params.at(0));
         if (file == nullptr || file->name == "index.html") {
           return message_response(404, "No such documentation file");
         }
         return file_response(*file);
       },
       {.tag = "docs",
        .summary = "A file of the Swagger UI page",
        .path_parameter = "swagger-ui-bundle.js, swagger-ui.css, initializer.js or "
                          "favicon-32x32.png",
        .responses = {{200, "The file", kFileResponse, "application/octet-stream"},
                      {404, "No such file"}}}},
  };
}

}  // namespace automation::http
