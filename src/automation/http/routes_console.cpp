// The web console (issue 23, docs/console.md): GET /console/ (its page, for a browser signed in
// through the login page) and /console/assets/<file> (its script and style sheet, with content
// hashes in their names). Built from web/console/ by Vite and compiled into the binary.

#include "automation/http/auth.hpp"
#include "automation/http/embedded_file.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/login_redirect.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {
namespace {

// Same origin only, nothing inline, nothing from elsewhere; no framing (clickjacking).
constexpr std::string_view kConsolePolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// The console's own URL: where the login page sends the browser back to.
constexpr std::string_view kConsolePath = "/console/";

Response console_file_response(const EmbeddedFile& file, std::string_view cache_control) {
  Response response = typed_response(std::string(file.bytes), content_type_of(file.name));
  response.cache_control = cache_control;
  response.add_header("Content-Security-Policy", std::string(kConsolePolicy));
  response.add_header("Referrer-Policy", "no-referrer");
  response.add_header("X-Frame-Options", "DENY");
  return response;
}

Response not_built() {
  return message_response(503, "The web console is not built into this binary "
                               "(configured with AUTOMATION_CONSOLE=OFF)");
}

// A browser that may use the API with its cookie gets the page; any other goes to the login
// page, which signs it in (or asks for the password change or MFA set-up it owes first) and
// sends it back.
bool may_open_console(const Result<Caller>& caller) {
  return caller && caller->principal && caller->principal->user &&
         caller->principal->password_change == PasswordChangeDemand::kNone &&
         !caller->principal->mfa_enrollment_required;
}

}  // namespace

std::vector<Route> console_routes(const RouteContext& context) {
  const FrontDoorOptions* front_door = context.front_door;
  return {
      {Method::kGet, "/console", KeyPolicy::kBrowserSession, Execution::kIoThread,
       [context, front_door](const Request& request, const Caller&) {
         const EmbeddedFile* index = find_embedded_file(console_files(), "index.html");
         if (index == nullptr) return not_built();
         auto caller = authenticate_caller(context.api, request, KeyPolicy::kBrowserSession,
                                           &front_door->cors);
         if (!may_open_console(caller)) {
           Response response;
           response.status = 303;
           response.content_type = "text/html; charset=utf-8";
           response.add_header("Location", login_url_for(kConsolePath));
           return response;
         }
         return console_file_response(*index, "no-cache");
       },
       {.tag = "console",
        .summary = "The web console (HTML)",
        .description = "For a browser signed in through the login page (the automation_session "
                       "cookie); without a usable session, 303 to /login?rd=/console/.",
        .responses = {{200, "The page", R"({"type": "string"})", "text/html"},
                      {303, "Not signed in: to the login page", R"({"type": "string"})",
                       "text/html"},
                      {503, "This build has no console"}}}},
      {Method::kGet, "/console/assets/:file", KeyPolicy::kNone, Execution::kIoThread,
       [](const Request& request, const Caller&) {
         if (console_files().empty()) return not_built();
         const EmbeddedFile* file =
             find_embedded_file(console_files(), "assets/" + request.path_params.at(0));
         if (file == nullptr) return message_response(404, "No such console file");
         // The name changes with the content: a cached copy is never stale.
         return console_file_response(*file, "public, max-age=31536000, immutable");
       },
       {.tag = "console",
        .summary = "A file of the web console (script, style sheet)",
        .path_parameter = "The file's name, with its content hash",
        .responses = {{200, "The file", R"({"type": "string", "format": "binary"})",
                       "application/octet-stream"},
                      {404, "No such file"},
                      {503, "This build has no console"}}}},
  };
}

}  // namespace automation::http
