// Handlers of multi-factor authentication (docs/mfa.md): the second step of a login, a user's
// own TOTP enrollment, status, removal and recovery codes, and an administrator's reset.

#include <nlohmann/json.hpp>

#include "automation/core/time_format.hpp"
#include "automation/http/error_mapping.hpp"
#include "automation/http/login_response.hpp"
#include "automation/http/qr_svg.hpp"
#include "automation/http/request_parsing.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {
namespace {

Response login_second_factor(const RouteContext& context, const Request& request,
                             const Caller& caller) {
  auto step = parse_mfa_login(request.body, body_encoding(request.content_type));
  if (!step) return error_response(step.error());
  return login_response(context.login_time,
                        context.api.login_second_factor(caller, step->mfa_token, step->code));
}

Response status(const RouteContext& context, const Request&, const Caller& caller) {
  auto mfa = context.api.mfa_status(caller);
  if (!mfa) return error_response(mfa.error());
  return json_response(
      200, nlohmann::json{{"enabled", mfa->enabled},
                          {"methods", mfa->enabled ? nlohmann::json::array({"totp", "recovery_code"})
                                                   : nlohmann::json::array()},
                          {"pending_enrollment", mfa->pending},
                          {"enabled_on", mfa->enabled ? nlohmann::json(format_utc(mfa->confirmed_at))
                                                      : nlohmann::json(nullptr)},
                          {"recovery_codes_left", mfa->recovery_codes_left},
                          {"required_by_policy", mfa->required_by_policy}});
}

Response begin_enrollment(const RouteContext& context, const Request&, const Caller& caller) {
  auto enrollment = context.api.begin_totp_enrollment(caller);
  if (!enrollment) return error_response(enrollment.error());
  auto svg = qr_svg(enrollment->otpauth_uri);
  if (!svg) return error_response(svg.error());
  return json_response(
      200, nlohmann::json{{"message", "Scan the QR code (or type the secret) into your "
                                      "authenticator app, then confirm with a code"},
                          {"secret", enrollment->secret_base32},
                          {"otpauth_uri", enrollment->otpauth_uri},
                          {"qr_svg", *svg}});
}

Response recovery_codes_response(const Result<RecoveryCodes>& codes, std::string_view message) {
  if (!codes) return error_response(codes.error());
  return json_response(200, nlohmann::json{{"message", message}, {"recovery_codes", *codes}});
}

Response confirm_enrollment(const RouteContext& context, const Request& request,
                            const Caller& caller) {
  auto code = parse_mfa_code(request.body, body_encoding(request.content_type));
  if (!code) return error_response(code.error());
  return recovery_codes_response(
      context.api.confirm_totp_enrollment(caller, *code),
      "Multi-factor authentication is on. Keep these recovery codes somewhere safe: each "
      "works once, in place of a code, and they are not shown again");
}

Response remove(const RouteContext& context, const Request& request, const Caller& caller) {
  auto proof = parse_password_and_code(request.body, body_encoding(request.content_type));
  if (!proof) return error_response(proof.error());
  return status_response(context.api.remove_mfa(caller, proof->password, proof->code),
                         "Multi-factor authentication removed");
}

Response regenerate(const RouteContext& context, const Request& request, const Caller& caller) {
  auto proof = parse_password_and_code(request.body, body_encoding(request.content_type));
  if (!proof) return error_response(proof.error());
  return recovery_codes_response(
      context.api.regenerate_recovery_codes(caller, proof->password, proof->code),
      "New recovery codes; the previous ones no longer work");
}

Response reset(const RouteContext& context, const Request& request, const Caller& caller) {
  auto reset = context.api.reset_mfa(caller, request.path_params.at(0));
  if (!reset) return error_response(reset.error());
  return json_response(200, nlohmann::json{{"message", "Multi-factor authentication reset"},
                                           {"was_enabled", *reset}});
}

// OpenAPI text shared by several routes below.
constexpr std::string_view kRecoveryCodesSchema = R"({"type": "object",
  "properties": {"message": {"type": "string"},
    "recovery_codes": {"type": "array", "items": {"type": "string"},
                       "description": "10 single-use codes, shown this once"}}})";
constexpr std::string_view kPasswordAndCodeSchema = R"({"type": "object",
  "required": ["password", "code"],
  "properties": {"password": {"type": "string", "format": "password"},
    "code": {"type": "string", "description": "A code of the authenticator app, or a recovery code"}}})";

}  // namespace

std::vector<Route> mfa_routes(const RouteContext& context) {
  auto bind = [context](Response (*handler)(const RouteContext&, const Request&, const Caller&)) {
    return Handler([context, handler](const Request& request, const Caller& caller) {
      return handler(context, request, caller);
    });
  };
  const auto io = Execution::kIoThread;
  const auto pool = Execution::kWorkerPool;  // a password check (KDF) first
  const auto enrollment = KeyPolicy::kRequiredForMfaEnrollment;
  return {
      {Method::kPost, "/api/users/login/mfa", KeyPolicy::kNone, io, bind(&login_second_factor),
       {.tag = "mfa",
        .summary = "Log in, second step: the code for an mfa_token",
        .description = "Answers exactly as POST /api/users/login does with a right password "
                       "(a wrong code leaves the token usable until it expires; it must come "
                       "from the address the password did).",
        .request_body = R"({"type": "object", "required": ["mfa_token", "code"],
          "properties": {"mfa_token": {"type": "string"},
            "code": {"type": "string", "description": "6 digits of the authenticator app, or a recovery code"}}})",
        .responses = {{200, "The session's key, as POST /api/users/login answers"},
                      {401, "Wrong code (`invalid_mfa_code`), or an unknown, used, expired or "
                            "foreign `mfa_token` (`invalid_mfa_token`)"},
                      {403, "The password has expired or must be changed first (with a key "
                            "that only changes it)"},
                      {429, "Too many wrong codes; retry after `Retry-After` seconds"}}}},
      {Method::kGet, "/api/users/me/mfa", enrollment, io, bind(&status),
       {.tag = "mfa",
        .summary = "What multi-factor authentication the caller has",
        .responses = {{200, "Enabled or not, and how many recovery codes are left",
                       R"({"type": "object", "properties": {"enabled": {"type": "boolean"},
                         "methods": {"type": "array", "items": {"type": "string"}},
                         "pending_enrollment": {"type": "boolean"},
                         "enabled_on": {"type": "string", "nullable": true},
                         "recovery_codes_left": {"type": "integer"},
                         "required_by_policy": {"type": "boolean"}}})"},
                      {403, "A third-party token is not a user"}}}},
      {Method::kPost, "/api/users/me/mfa/totp", enrollment, io, bind(&begin_enrollment),
       {.tag = "mfa",
        .summary = "Start a TOTP enrollment: a new secret for the authenticator app",
        .description = "Nothing is active until POST /api/users/me/mfa/totp/confirm; a new "
                       "call replaces an unconfirmed secret.",
        .responses = {{200, "The secret, shown this once",
                       R"({"type": "object", "properties": {"message": {"type": "string"},
                         "secret": {"type": "string", "description": "base32"},
                         "otpauth_uri": {"type": "string"},
                         "qr_svg": {"type": "string", "description": "the otpauth URI as a QR code, in SVG"}}})"},
                      {403, "A third-party token is not a user"},
                      {409, "Multi-factor authentication is already on: remove it first"}}}},
      {Method::kPost, "/api/users/me/mfa/totp/confirm", enrollment, io,
       bind(&confirm_enrollment),
       {.tag = "mfa",
        .summary = "Confirm the enrollment with a code: MFA is on",
        .description = "Answers the recovery codes. The confirming session counts as "
                       "verified by a second factor from then on.",
        .request_body = R"({"type": "object", "required": ["code"],
          "properties": {"code": {"type": "string"}}})",
        .responses = {{200, "MFA is on; the recovery codes", kRecoveryCodesSchema},
                      {400, "Wrong code (`invalid_mfa_code`)"},
                      {403, "A third-party token is not a user"},
                      {404, "No enrollment waits for confirmation"}}}},
      {Method::kDelete, "/api/users/me/mfa", KeyPolicy::kRequired, pool, bind(&remove),
       {.tag = "mfa",
        .summary = "Remove the caller's multi-factor authentication",
        .request_body = kPasswordAndCodeSchema,
        .responses = {{200, "Removed"},
                      {400, "Wrong password, or wrong code (`invalid_mfa_code`), or MFA is "
                            "not on"},
                      {403, "A third-party token is not a user"},
                      {429, "Too many wrong passwords or codes"}}}},
      {Method::kPost, "/api/users/me/mfa/recovery_codes", KeyPolicy::kRequired, pool,
       bind(&regenerate),
       {.tag = "mfa",
        .summary = "New recovery codes (the old ones stop working)",
        .request_body = kPasswordAndCodeSchema,
        .responses = {{200, "The new codes", kRecoveryCodesSchema},
                      {400, "Wrong password, or wrong code (`invalid_mfa_code`), or MFA is "
                            "not on"},
                      {403, "A third-party token is not a user"},
                      {429, "Too many wrong passwords or codes"}}}},
      {Method::kPost, "/api/users/:username/mfa/reset", KeyPolicy::kRequired, io, bind(&reset),
       {.tag = "mfa",
        .summary = "Remove another user's multi-factor authentication",
        .description = "Admin or sudo, by the password reset rule: sudo for admin users only, "
                       "an admin for users of its level or below; never one's own, never a "
                       "sudo account (`automation user mfa-reset` does those). Audited as "
                       "mfa_reset.",
        .path_parameter = "The user's username",
        .responses = {{200, "Reset", R"({"type": "object", "properties": {
                         "message": {"type": "string"}, "was_enabled": {"type": "boolean"}}})"},
                      {400, "The rule refuses this target"},
                      {403, "The caller is not admin or sudo"},
                      {404, "No such user (sudo users are hidden from non-sudo callers)"}}}},
  };
}

}  // namespace automation::http
