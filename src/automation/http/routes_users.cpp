// Handlers of /api/users/...: sessions, accounts and passwords.

#include <nlohmann/json.hpp>

#include "automation/http/error_mapping.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/login_response.hpp"
#include "automation/http/rendered_list_cache.hpp"
#include "automation/http/request_parsing.hpp"
#include "automation/http/response_memory.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {
namespace {

Response user_response(const Result<User>& user) {
  if (!user) return error_response(user.error());
  return text_json_response(200, user_text(*user));
}

Response login(const RouteContext& context, const Request& request, const Caller& caller) {
  auto credentials = parse_credentials(request.body, body_encoding(request.content_type));
  if (!credentials) return error_response(credentials.error());
  return login_response(context.login_time, context.api.login(caller, *credentials));
}

// The answer of a kept list: the text itself, or for rows shared by pages that reach the end,
// the rows followed by this page's pagination.
Response kept_list_response(const RenderedListCache::Key& key, RenderedListCache::Text text,
                            std::int64_t page, std::int64_t limit, std::int64_t total) {
  Response response = shared_json_response(200, std::move(text));
  if (key.is_rows_to_end()) response.body = user_page_pagination_text(total, page, limit);
  return response;
}

// A page of the users a search found: rendered per request (searches are many and each
// is cheap to answer; keeping them would crowd out the lists).
Response found_users(const RouteContext& context, const Caller& caller, const PageQuery& query) {
  auto users = context.api.list_users_page(caller, query.page, query.limit, query.search);
  if (!users) return error_response(users.error());
  auto text = std::make_shared<const std::string>(user_page_text(*users, query.page, query.limit));
  if (context.response_memory != nullptr && !context.response_memory->admits(text, 0)) {
    return response_memory_full();
  }
  return shared_json_response(200, std::move(text));
}

// The whole list, or a page of it. Each list is rendered once per listing version and the
// text is shared by every response until a user or role changes.
Response list_users(const RouteContext& context, RenderedListCache& rendered,
                    const Request& request, const Caller& caller) {
  auto query = parse_page_query(request.query);
  if (!query) return error_response(query.error());
  const bool paged = query->has_value();
  const std::int64_t page = paged ? (*query)->page : 0;
  const std::int64_t limit = paged ? (*query)->limit : 0;
  if (paged && !(*query)->search.empty()) return found_users(context, caller, **query);
  using Key = RenderedListCache::Key;
  // Only valid pages: an invalid one must get its 400 from list_users_page.
  const bool keep = !paged || (page >= 1 && limit >= 1);
  const bool big = RenderedListCache::is_big(Key{page, limit});
  // The kept answer at `version`, if any.
  auto kept = [&](std::int64_t version) -> std::optional<Response> {
    const auto total = rendered.total(version);
    const Key key = paged ? RenderedListCache::page_key(page, limit, total) : Key::whole_list();
    auto text = rendered.find(version, key);
    if (!text) return std::nullopt;
    return kept_list_response(key, std::move(text), page, limit, total.value_or(0));
  };
  std::optional<RenderedListCache::RenderTurn> rendering_alone;
  if (keep) {
    auto version = context.api.user_list_version(caller);
    if (!version) return error_response(version.error());
    if (*version) {
      if (auto answer = kept(**version)) return std::move(*answer);
      if (big) {
        // A big list not kept: no reading and rendering it while unwritten answers hold all
        // the memory they may (it would be refused when sent anyway).
        if (context.response_memory != nullptr && !context.response_memory->admits_big_answer()) {
          return response_memory_full();
        }
        rendering_alone.emplace(rendered.render_alone(**version, Key{page, limit}));
        if (rendering_alone->busy()) {
          Response busy = message_response(503, "Server busy, retry later");
          busy.retry_after_seconds = 1;
          return busy;
        }
        // Rendered by the request this one waited for?
        if (auto answer = kept(**version)) return std::move(*answer);
      }
    }
  }
  Response response;
  std::size_t rendered_bytes = 0;
  {
    auto users = paged ? context.api.list_users_page(caller, page, limit)
                       : context.api.list_users(caller);
    if (!users) return error_response(users.error());
    const Key key = paged ? RenderedListCache::page_key(page, limit, users->total)
                          : Key::whole_list();
    auto text = std::make_shared<const std::string>(
        !paged                 ? user_list_text(users->users)
        : key.is_rows_to_end() ? user_page_rows_text(users->users)
                               : user_page_text(*users, page, limit));
    rendered_bytes = text->size();
    // An answer that would be refused when sent is not kept either: the cache must not fill
    // with lists nobody got.
    if (context.response_memory != nullptr && !context.response_memory->admits(text, 0)) {
      response = response_memory_full();
    } else {
      if (keep && users->version) rendered.keep(*users->version, key, text, users->total);
      response = kept_list_response(key, std::move(text), page, limit, users->total);
    }
  }  // the users read (and a refused text) are freed here, before memory is handed back
  release_free_memory_after(rendered_bytes);
  return response;
}

Response signup(const RouteContext& context, const Request& request, const Caller& caller) {
  auto signup = parse_signup(request.body, body_encoding(request.content_type));
  if (!signup) return error_response(signup.error());
  return user_response(context.api.signup(caller, *signup));
}

Response credentials_are_valid(const RouteContext& context, const Request& request,
                               const Caller& caller) {
  auto credentials = parse_credentials(request.body, body_encoding(request.content_type));
  if (!credentials) return error_response(credentials.error());
  auto valid = context.api.credentials_are_valid(caller, *credentials);
  if (!valid) return error_response(valid.error());
  return json_response(200, nlohmann::json(*valid));
}

Response change_password(const RouteContext& context, const Request& request,
                         const Caller& caller) {
  auto change = parse_password_change(request.body, body_encoding(request.content_type));
  if (!change) return error_response(change.error());
  return status_response(context.api.change_password(caller, *change),
                         "Password changed successfully");
}

Response reset_password(const RouteContext& context, const Request& request, const Caller& caller) {
  auto reset = parse_password_reset(request.body, body_encoding(request.content_type));
  if (!reset) return error_response(reset.error());
  return status_response(
      context.api.reset_password(caller, reset->target_username, reset->new_password,
                                 reset->current_password),
      "Password reset successfully");
}

Response update_role(const RouteContext& context, const Request& request, const Caller& caller) {
  auto update = parse_role_update(request.body, body_encoding(request.content_type));
  if (!update) return error_response(update.error());
  return status_response(
      context.api.update_role(caller, update->target_username, update->new_role_name),
      "Role updated successfully");
}

Response edit_user(const RouteContext& context, const Request& request, const Caller& caller) {
  auto edit = parse_user_edit(request.body, body_encoding(request.content_type));
  if (!edit) return error_response(edit.error());
  return user_response(context.api.edit_user(caller, request.path_params.at(0), *edit));
}

Response delete_user(const RouteContext& context, const Request& request, const Caller& caller) {
  return status_response(context.api.delete_user(caller, request.path_params.at(0)),
                         "User " + request.path_params.at(0) + " deleted successfully");
}

// Password work for no account: an anonymous sign-up, or a login whose name matches none.
// (A malformed body is answered before any hashing: its class does not matter.)
WorkClass login_work(const RouteContext& context, const Request& request) {
  auto credentials = parse_credentials(request.body, body_encoding(request.content_type));
  if (!credentials || context.api.login_names_an_account(*credentials)) return WorkClass::kAccount;
  return WorkClass::kAnonymous;
}

WorkClass signup_work(const Caller& caller) {
  return caller.principal ? WorkClass::kAccount : WorkClass::kAnonymous;
}

// OpenAPI text shared by several routes below.
constexpr std::string_view kUserRef = R"({"$ref": "#/components/schemas/User"})";
constexpr std::string_view kCredentialsSchema = R"({"type": "object", "required": ["password"],
  "description": "`username` or `email`; email wins when both are given",
  "properties": {"username": {"type": "string"}, "email": {"type": "string"},
                 "password": {"type": "string", "format": "password"}}})";
constexpr std::string_view kLoginSchema = R"({"type": "object", "required": ["password"],
  "description": "`username` or `email`; email wins when both are given",
  "properties": {"username": {"type": "string"}, "email": {"type": "string"},
                 "password": {"type": "string", "format": "password"},
                 "otp": {"type": "string", "description": "For an account with multi-factor authentication: a code of its authenticator app, or a recovery code, to log in in one request; ignored for accounts without MFA"}}})";
constexpr std::string_view kUserPathParameter = "The user's username";

}  // namespace

std::vector<Route> user_routes(const RouteContext& context) {
  // Each handler gets the context by value (it holds references only).
  auto bind = [context](Response (*handler)(const RouteContext&, const Request&, const Caller&)) {
    return Handler([context, handler](const Request& request, const Caller& caller) {
      return handler(context, request, caller);
    });
  };
  const auto io = Execution::kIoThread;
  const auto pool = Execution::kWorkerPool;
  std::vector<Route> routes = {
      {Method::kPost, "/api/users/login", KeyPolicy::kNone, pool, bind(&login),
       {.tag = "users",
        .summary = "Log in: a new session and its API key",
        .description = "For an account with multi-factor authentication, a right password "
                       "answers 401 `mfa_required` with an `mfa_token` for POST "
                       "/api/users/login/mfa, unless `otp` carried a right code. After a "
                       "recovery code the answer also says `recovery_codes_left`.",
        .request_body = kLoginSchema,
        .responses = {{200, "The session's key (send it as X-API-KEY)", R"({"type": "object",
            "required": ["apiKey", "role", "role_level", "datetime", "timezone"],
            "properties": {"apiKey": {"type": "string"}, "role": {"type": "string"},
              "role_level": {"type": "integer"},
              "datetime": {"type": "string", "description": "MM/DD/YYYY, HH:MM:SS in timezone"},
              "timezone": {"type": "string"}}})"},
                      {401, "The password was right and the second factor is due "
                            "(`error_type` `mfa_required`, no key): send a code with "
                            "`mfa_token` to POST /api/users/login/mfa within `expires_in` "
                            "seconds; or `otp` was wrong (`invalid_mfa_code`)",
                       R"({"type": "object", "properties": {"message": {"type": "string"},
                         "error_type": {"type": "string"}, "mfa_token": {"type": "string"},
                         "expires_in": {"type": "integer"},
                         "methods": {"type": "array", "items": {"type": "string"}}}})"},
                      {403, "Wrong user or password (the same body and timing for both); or "
                            "the password has expired or must be changed first, or the role "
                            "requires MFA and none is set up: then the body also carries an "
                            "`apiKey` that only change_password and logout (or only the MFA "
                            "set-up) accept (`error_type` says which)",
                       R"({"type": "object", "properties": {"message": {"type": "string"},
                         "error_type": {"type": "string"}, "details": {"type": "string"},
                         "apiKey": {"type": "string"}}})"},
                      {429, "Too many failed attempts (passwords, or codes); retry after "
                            "`Retry-After` seconds"},
                      {503, "Directory login: no directory server could be reached and no "
                            "offline login stands in (`The directory cannot be reached; try "
                            "again later`); or the password-hashing queue is full, or the "
                            "login's audit event could not be written; retry after "
                            "`Retry-After` seconds"}}}},
      {Method::kPost, "/api/users/logout", KeyPolicy::kRequiredEvenBeforePasswordChange, io,
       bind([](const RouteContext& c, const Request&, const Caller& caller) {
         return status_response(c.api.logout(caller), "Logout successful");
       }),
       {.tag = "users",
        .summary = "End this session",
        .responses = {{200, "`Logout successful`"},
                      {403, "A third-party token has no session to end"}}}},
      {Method::kPost, "/api/users/logout_all", KeyPolicy::kRequired, io,
       bind([](const RouteContext& c, const Request&, const Caller& caller) {
         return status_response(c.api.logout_all(caller), "Logged out of all sessions");
       }),
       {.tag = "users",
        .summary = "End every session of the caller",
        .responses = {{200, "Every session ended"},
                      {403, "A third-party token has no sessions"}}}},
      {Method::kGet, "/api/users", KeyPolicy::kRequired, io,
       Handler([context, rendered = std::make_shared<RenderedListCache>()](
                   const Request& request, const Caller& caller) {
         return list_users(context, *rendered, request, caller);
       }),
       {.tag = "users",
        .summary = "List users (sudo users left out)",
        .description = "Without `page` and `limit` the plain array; with either, one page "
                       "(large limits such as 10000 are served). `search` keeps the users "
                       "whose username, email, name or lastname contains it (ASCII letters "
                       "in any case, no wildcards) and answers one page of them.",
        .query_parameters = R"([
          {"name": "page", "in": "query", "required": false,
           "schema": {"type": "integer", "minimum": 1}},
          {"name": "limit", "in": "query", "required": false,
           "schema": {"type": "integer", "minimum": 1}},
          {"name": "search", "in": "query", "required": false,
           "schema": {"type": "string", "maxLength": 100}}])",
        .responses = {{200, "The users, or one page of them", R"({"oneOf": [
            {"type": "array", "items": {"$ref": "#/components/schemas/User"}},
            {"type": "object", "required": ["data", "pagination"], "properties": {
              "data": {"type": "array", "items": {"$ref": "#/components/schemas/User"}},
              "pagination": {"type": "object", "properties": {
                "page": {"type": "integer"}, "limit": {"type": "integer"},
                "total_records": {"type": "integer"}, "total_pages": {"type": "integer"}}}}}]})"},
                      {400, "`page` or `limit` below 1 (`Page number must be greater than 0`, "
                            "`Limit must be greater than 0`), or not an integer (`Input payload "
                            "validation failed`); the parameter is named in `errors`; a "
                            "`search` over 100 bytes"}}}},
      {Method::kGet, "/api/users/me", KeyPolicy::kRequired, io,
       bind([](const RouteContext& c, const Request&, const Caller& caller) {
         return user_response(c.api.me(caller));
       }),
       {.tag = "users",
        .summary = "The caller's own account (sessions only)",
        .responses = {{200, "The user", kUserRef},
                      {403, "A third-party token is not a user"}}}},
      {Method::kPost, "/api/users/signup", KeyPolicy::kOptional, pool, bind(&signup),
       {.tag = "users",
        .summary = "Create a user",
        .description = "Without a key: role guest (unless sign-up is disabled). With an admin "
                       "or sudo key: any role of level >= the caller's, never sudo.",
        .request_body = R"({"type": "object", "required": ["username", "email", "password"],
          "properties": {"username": {"type": "string"}, "email": {"type": "string"},
            "password": {"type": "string", "format": "password"},
            "role_name": {"type": "string"}, "name": {"type": "string"},
            "lastname": {"type": "string"}}})",
        .responses = {{200, "The new user", kUserRef},
                      {400, "The password breaks a password rule (named in the message)"},
                      {403, "The role asked for is not allowed, or sign-up is disabled"},
                      {409, "The username or email is taken"},
                      {429, "Anonymous: too many sign-ups from this address "
                            "(AUTOMATION_SIGNUP_MAX_PER_ADDRESS); retry after `Retry-After` "
                            "seconds"}}}},
      {Method::kPost, "/api/users/credentials_are_valid", KeyPolicy::kRequired, pool,
       bind(&credentials_are_valid),
       {.tag = "users",
        .summary = "Check a username/email and password (creates no session)",
        .request_body = kCredentialsSchema,
        .responses = {{200, "Whether they are valid", R"({"type": "boolean"})"},
                      {429, "Too many failed attempts; retry after `Retry-After` seconds"},
                      {503, "Directory login: no directory server could be reached and no "
                            "offline login stands in; or the password-hashing queue is full; "
                            "retry after `Retry-After` seconds"}}}},
      {Method::kPost, "/api/users/change_password", KeyPolicy::kRequiredEvenBeforePasswordChange,
       pool, bind(&change_password),
       {.tag = "users",
        .summary = "Change a password (ends the target's other sessions)",
        .description = "Sudo: admins only; admin: levels >= its own; others: themselves, with "
                       "`current_password`. A `current_password` given must be right.",
        .request_body = R"({"type": "object", "required": ["target_username", "new_password"],
          "properties": {"target_username": {"type": "string"},
            "new_password": {"type": "string", "format": "password"},
            "current_password": {"type": "string", "format": "password"}}})",
        .responses = {{200, "`Password changed successfully`"},
                      {400, "A rule violation in upstream's words (e.g. `You can only change "
                            "your own password`), `Current password is incorrect`, `Current "
                            "password is required when changing your own password`, `User "
                            "<name> not found`, or a directory user's password (`error_type` "
                            "`directory_managed`: change it in the directory)"},
                      {403, "A third-party token changing its own password"}}}},
      {Method::kPost, "/api/users/reset_password", KeyPolicy::kRequired, pool,
       bind(&reset_password),
       {.tag = "users",
        .summary = "Reset a password (ends the target's sessions)",
        .description = "A reset of one's own password is the owner's change: the minimum age, "
                       "the history and the password throttle apply as to change_password, and "
                       "with AUTOMATION_SELF_RESET_REQUIRES_CURRENT_PASSWORD it needs "
                       "`current_password`.",
        .request_body = R"({"type": "object", "required": ["target_username", "new_password"],
          "properties": {"target_username": {"type": "string"},
            "new_password": {"type": "string", "format": "password"},
            "current_password": {"type": "string", "format": "password",
              "description": "read for a reset of one's own password only"}}})",
        .responses = {{200, "`Password reset successfully`"},
                      {400, "A rule violation in upstream's words (e.g. `You can only reset "
                            "your own password`), `User <name> not found`, or for one's own "
                            "password a password rule, `Current password is incorrect` or "
                            "`Current password is required when resetting your own password`; "
                            "or a directory user's password (`error_type` `directory_managed`)"},
                      {403, "The caller may not reset passwords"},
                      {429, "One's own password: too many failed attempts; retry after "
                            "`Retry-After` seconds"}}}},
      {Method::kPost, "/api/users/update_role", KeyPolicy::kRequired, io, bind(&update_role),
       {.tag = "users",
        .summary = "Change a user's role (admin and sudo)",
        .request_body = R"({"type": "object", "required": ["target_username", "new_role_name"],
          "properties": {"target_username": {"type": "string"},
            "new_role_name": {"type": "string"}}})",
        .responses = {{200, "Role updated"},
                      {400, "Rule violation, `User <name> not found` or `Role <name> not found`"},
                      {403, "`Only admin and sudo users can update user roles`"}}}},
      {Method::kGet, "/api/users/:username", KeyPolicy::kRequired, io,
       bind([](const RouteContext& c, const Request& request, const Caller& caller) {
         return user_response(c.api.get_user(caller, request.path_params.at(0)));
       }),
       {.tag = "users",
        .summary = "One user",
        .path_parameter = kUserPathParameter,
        .responses = {{200, "The user", kUserRef}, {404, "No such user"}}}},
      {Method::kPut, "/api/users/:username", KeyPolicy::kRequired, io, bind(&edit_user),
       {.tag = "users",
        .summary = "Edit a user's email, name and lastname",
        .path_parameter = kUserPathParameter,
        .request_body = R"({"type": "object", "properties": {"email": {"type": "string"},
          "name": {"type": "string", "nullable": true},
          "lastname": {"type": "string", "nullable": true}}})",
        .responses = {{200, "The edited user", kUserRef},
                      {400, "Invalid value"},
                      {403, "The caller may not edit this user"},
                      {404, "No such user"},
                      {409, "The email is taken"}}}},
      {Method::kDelete, "/api/users/:username", KeyPolicy::kRequired, io, bind(&delete_user),
       {.tag = "users",
        .summary = "Delete a user",
        .path_parameter = kUserPathParameter,
        .responses = {{200, "Deleted"},
                      {400, "Deleting yourself or `system`"},
                      {403, "The caller may not delete this user"},
                      {404, "No such user"}}}},
  };
  // Set here rather than in the list above: GCC 12 warns (-Wmaybe-uninitialized, wrongly)
  // about a list this long whose elements carry one more std::function.
  for (Route& route : routes) {
    if (route.method != Method::kPost) continue;
    if (route.pattern == "/api/users/login") {
      route.work_class = [context](const Request& request, const Caller&) {
        return login_work(context, request);
      };
    } else if (route.pattern == "/api/users/signup") {
      route.work_class = [](const Request&, const Caller& caller) { return signup_work(caller); };
    }
  }
  return routes;
}

}  // namespace automation::http
