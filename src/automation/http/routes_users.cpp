// Handlers of /api/users/...: sessions, accounts and passwords.

#include <nlohmann/json.hpp>

#include "automation/core/password_rules.hpp"
#include "automation/http/error_mapping.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/request_parsing.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {
namespace {

Response user_response(const Result<User>& user) {
  if (!user) return error_response(user.error());
  return json_response(200, user_json(*user));
}

Response login(const RouteContext& context, const Request& request, const Caller& caller) {
  auto credentials = parse_credentials(request.body, body_encoding(request.content_type));
  if (!credentials) return error_response(credentials.error());
  auto login = context.api.login(caller, *credentials);
  if (!login) {
    if (login.error().code == ErrorCode::kPermissionDenied) {
      // Upstream's body, word for word; the same for an unknown user and a wrong password.
      return json_response(
          403,
          nlohmann::json{{"message", "Authentication error: Invalid credentials"},
                         {"error_type", "authentication_error"},
                         {"details", "The provided username/email or password is incorrect."}});
    }
    return error_response(login.error());
  }
  nlohmann::json body = login_json(*login, context.login_time.format(login->logged_in_at),
                                   context.login_time.zone_name());
  if (login->password_change == PasswordChangeDemand::kNone) return json_response(200, body);
  // The key works for change_password and logout only (README "Security controls").
  const bool expired = login->password_change == PasswordChangeDemand::kExpired;
  body["message"] = expired ? "Password expired: change it before anything else"
                            : "Password change required before anything else";
  body["error_type"] = expired ? kPasswordExpired : kPasswordChangeRequired;
  body["details"] = "This apiKey is accepted by POST /api/users/change_password (your own "
                    "account) and POST /api/users/logout only.";
  return json_response(403, body);
}

Response list_users(const RouteContext& context, const Request& request, const Caller& caller) {
  auto page = parse_page_query(request.query);
  if (!page) return error_response(page.error());
  if (*page) {
    const PageQuery query = **page;
    auto users = context.api.list_users_page(caller, query.page, query.limit);
    if (!users) return error_response(users.error());
    return json_response(200, user_page_json(*users, query.page, query.limit));
  }
  return list_response(context.api.list_users(caller), user_json);
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
      context.api.reset_password(caller, reset->target_username, reset->new_password),
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
  return user_response(context.api.edit_user(caller, request.path_param, *edit));
}

Response delete_user(const RouteContext& context, const Request& request, const Caller& caller) {
  return status_response(context.api.delete_user(caller, request.path_param),
                         "User " + request.path_param + " deleted successfully");
}

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
  return {
      {Method::kPost, "/api/users/login", KeyPolicy::kNone, pool, bind(&login)},
      {Method::kPost, "/api/users/logout", KeyPolicy::kRequiredEvenBeforePasswordChange, io,
       bind([](const RouteContext& c, const Request&, const Caller& caller) {
         return status_response(c.api.logout(caller), "Logout successful");
       })},
      {Method::kPost, "/api/users/logout_all", KeyPolicy::kRequired, io,
       bind([](const RouteContext& c, const Request&, const Caller& caller) {
         return status_response(c.api.logout_all(caller), "Logged out of all sessions");
       })},
      {Method::kGet, "/api/users", KeyPolicy::kRequired, io, bind(&list_users)},
      {Method::kGet, "/api/users/me", KeyPolicy::kRequired, io,
       bind([](const RouteContext& c, const Request&, const Caller& caller) {
         return user_response(c.api.me(caller));
       })},
      {Method::kPost, "/api/users/signup", KeyPolicy::kOptional, pool, bind(&signup)},
      {Method::kPost, "/api/users/credentials_are_valid", KeyPolicy::kRequired, pool,
       bind(&credentials_are_valid)},
      {Method::kPost, "/api/users/change_password", KeyPolicy::kRequiredEvenBeforePasswordChange,
       pool,
       bind(&change_password)},
      {Method::kPost, "/api/users/reset_password", KeyPolicy::kRequired, pool,
       bind(&reset_password)},
      {Method::kPost, "/api/users/update_role", KeyPolicy::kRequired, io, bind(&update_role)},
      {Method::kGet, "/api/users/:username", KeyPolicy::kRequired, io,
       bind([](const RouteContext& c, const Request& request, const Caller& caller) {
         return user_response(c.api.get_user(caller, request.path_param));
       })},
      {Method::kPut, "/api/users/:username", KeyPolicy::kRequired, io, bind(&edit_user)},
      {Method::kDelete, "/api/users/:username", KeyPolicy::kRequired, io, bind(&delete_user)},
  };
}

}  // namespace automation::http
