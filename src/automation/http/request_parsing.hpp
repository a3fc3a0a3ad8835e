#pragma once

// Request bodies and query strings -> the core's request values. Only the shape is checked
// here (JSON syntax, an object, field types, required fields); content rules (lengths,
// charsets, NUL bytes, reserved words) are the core's validation. Every failure is a
// kInvalidArgument Error: "Malformed JSON body", "Malformed form body: <what>", or, in
// upstream's (flask-restx's) words, "Input payload validation failed" with each bad field
// named in `fields` as "<upstream's help text for it> <why>" (e.g. "Password Missing required
// parameter in the JSON body or the post body or the query string").
//
// Bodies are JSON objects or HTML forms (application/x-www-form-urlencoded, as upstream's
// request parsers accept and Python scripts send). A form is decoded into the same JSON object
// of strings a JSON body gives, so both go through the same field rules; the one difference is
// that integer fields of a form are decimal text (the whole value, nothing else), while a JSON
// body must carry real JSON integers.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "automation/core/error.hpp"
#include "automation/core/model.hpp"
#include "automation/core/requests.hpp"
#include "automation/core/signature.hpp"
#include "automation/core/signature_api.hpp"

namespace automation::http {

enum class BodyEncoding {
  kJson,  // application/json, and any body whose Content-Type is missing or another type
  kForm,  // application/x-www-form-urlencoded
};

// The encoding a Content-Type header names: the media type (before any ';' parameter such as
// charset) compared case-insensitively.
BodyEncoding body_encoding(const std::optional<std::string>& content_type);

// {username | email, password, otp?}.
Result<Credentials> parse_credentials(std::string_view body,
                                      BodyEncoding encoding = BodyEncoding::kJson);

// {username, email, password, role_name?, name?, lastname?}.
Result<SignupRequest> parse_signup(std::string_view body,
                                   BodyEncoding encoding = BodyEncoding::kJson);

// {target_username, new_password, current_password?}.
Result<PasswordChange> parse_password_change(std::string_view body,
                                             BodyEncoding encoding = BodyEncoding::kJson);

struct PasswordReset {
  std::string target_username;
  std::string new_password;
  std::optional<std::string> current_password;  // read for a reset of one's own password
};
// {target_username, new_password, current_password?}.
Result<PasswordReset> parse_password_reset(std::string_view body,
                                           BodyEncoding encoding = BodyEncoding::kJson);

struct RoleUpdate {
  std::string target_username;
  std::string new_role_name;
};
// {target_username, new_role_name}.
Result<RoleUpdate> parse_role_update(std::string_view body,
                                     BodyEncoding encoding = BodyEncoding::kJson);

// {role_name, expires_in?, description?}.
Result<TptRequest> parse_tpt_request(std::string_view body,
                                     BodyEncoding encoding = BodyEncoding::kJson);

// {email?, name?, lastname?}; at least one of them.
Result<UserEdit> parse_user_edit(std::string_view body,
                                 BodyEncoding encoding = BodyEncoding::kJson);

struct NewRole {
  std::string name;
  std::int64_t level = 0;
};
// {name, level}.
Result<NewRole> parse_new_role(std::string_view body, BodyEncoding encoding = BodyEncoding::kJson);

// {code}: a second-factor code (POST /api/users/me/mfa/totp/confirm).
Result<std::string> parse_mfa_code(std::string_view body,
                                   BodyEncoding encoding = BodyEncoding::kJson);

struct PasswordAndCode {
  std::string password;
  std::string code;
};
// {password, code} (DELETE /api/users/me/mfa, POST /api/users/me/mfa/recovery_codes).
Result<PasswordAndCode> parse_password_and_code(std::string_view body,
                                                BodyEncoding encoding = BodyEncoding::kJson);

struct MfaLogin {
  std::string mfa_token;
  std::string code;
};
// {mfa_token, code} (POST /api/users/login/mfa).
Result<MfaLogin> parse_mfa_login(std::string_view body,
                                 BodyEncoding encoding = BodyEncoding::kJson);

struct PageQuery {
  std::int64_t page = 1;
  std::int64_t limit = 20;
  std::string search;  // ?search=: only users whose names or email contain it ("": all)
};
// ?page=&limit=: nullopt when neither is present (the plain array form is wanted);
// a value that is not an integer is a 400 naming it, as the body fields above. Range checks
// are the core's.
Result<std::optional<PageQuery>> parse_page_query(std::string_view query);

// GET /api/users/audit?limit=&since=&until=&event=&actor=&target=&outcome=: limit default 100,
// an integer in 1..1000; since/until Unix seconds (since <= until); outcome one of success,
// failure, denied, throttled; the other texts at most 255 bytes. Each bad one is a 400 naming
// it.
Result<AuditEventFilter> parse_audit_query(std::string_view query);

// The value of `key` in an application/x-www-form-urlencoded query string, decoded;
// nullopt when absent. The first occurrence wins.
std::optional<std::string> query_value(std::string_view query, std::string_view key);

// GET /api/users/audit/export?format=jsonl|csv&after_seq=N&limit=M
struct AuditExportQuery {
  enum class Format { kJsonLines, kCsv };
  Format format = Format::kJsonLines;
  std::int64_t after_seq = 0;  // 0: from the chain's anchor
  int limit = 10000;           // 1..100000
};
Result<AuditExportQuery> parse_audit_export(std::string_view query);

// POST /api/signatures: {password, meaning, username?, code?, record_type?, record_id?,
// record_digest?, comment?, verifies?} (the core says which of the optional ones a signature
// needs).
Result<SignRequest> parse_sign_request(std::string_view body,
                                       BodyEncoding encoding = BodyEncoding::kJson);

// POST /api/signatures/verify: {signature_id, record_digest?}.
struct SignatureCheckRequest {
  std::string signature_id;
  std::optional<std::string> record_digest;
};
Result<SignatureCheckRequest> parse_signature_check(std::string_view body,
                                                    BodyEncoding encoding = BodyEncoding::kJson);

// GET /api/signatures?record_type=&record_id=&limit= (limit 1-1000, default 100; record_id
// only with record_type).
Result<SignatureQuery> parse_signature_query(std::string_view query);

// %XX and '+' decoding of a path segment or query value; nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

}  // namespace automation::http
