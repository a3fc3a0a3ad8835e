// Request bodies (JSON and HTML form) and query strings -> the core's request values.
//
// Input: one selector byte, then the body or query string. selector % 13 picks the parser,
// (selector / 13) % 2 the body encoding (0 JSON, 1 form).
// Invariants beyond "no crash": parsing is deterministic, and a value parsed from either
// encoding, written back as a JSON body, parses to the same value (so the form and JSON
// paths agree on every value they accept).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "automation/http/request_parsing.hpp"

#include "fuzz_invariant.hpp"

namespace {

using automation::fuzzing::invariant_broken;

using automation::http::BodyEncoding;
namespace http = automation::http;

void put_optional(nlohmann::json& body, const char* field, const std::optional<std::string>& value) {
  if (value) body[field] = *value;
}

nlohmann::json to_body(const automation::Credentials& value) {
  nlohmann::json body = {{"password", value.password}};
  put_optional(body, "username", value.username);
  put_optional(body, "email", value.email);
  put_optional(body, "otp", value.otp);
  return body;
}
nlohmann::json to_body(const automation::SignupRequest& value) {
  nlohmann::json body = {
      {"username", value.username}, {"email", value.email}, {"password", value.password}};
  put_optional(body, "role_name", value.role_name);
  put_optional(body, "name", value.name);
  put_optional(body, "lastname", value.lastname);
  return body;
}
nlohmann::json to_body(const automation::PasswordChange& value) {
  nlohmann::json body = {{"target_username", value.target_username},
                         {"new_password", value.new_password}};
  put_optional(body, "current_password", value.current_password);
  return body;
}
nlohmann::json to_body(const http::RoleUpdate& value) {
  return {{"target_username", value.target_username}, {"new_role_name", value.new_role_name}};
}
nlohmann::json to_body(const automation::TptRequest& value) {
  nlohmann::json body = {{"role_name", value.role_name}, {"description", value.description}};
  if (value.expires_in_seconds) body["expires_in"] = *value.expires_in_seconds;
  return body;
}
nlohmann::json to_body(const automation::UserEdit& value) {
  nlohmann::json body = nlohmann::json::object();
  put_optional(body, "email", value.email);
  put_optional(body, "name", value.name);
  put_optional(body, "lastname", value.lastname);
  return body;
}
nlohmann::json to_body(const http::PasswordReset& value) {
  return {{"target_username", value.target_username}, {"new_password", value.new_password}};
}
nlohmann::json to_body(const http::NewRole& value) {
  return {{"name", value.name}, {"level", value.level}};
}
nlohmann::json to_body(const std::string& code) { return {{"code", code}}; }
nlohmann::json to_body(const http::PasswordAndCode& value) {
  return {{"password", value.password}, {"code", value.code}};
}
nlohmann::json to_body(const http::MfaLogin& value) {
  return {{"mfa_token", value.mfa_token}, {"code", value.code}};
}

bool same(const automation::Credentials& a, const automation::Credentials& b) {
  return a.username == b.username && a.email == b.email && a.password == b.password &&
         a.otp == b.otp;
}
bool same(const automation::SignupRequest& a, const automation::SignupRequest& b) {
  return a.username == b.username && a.email == b.email && a.password == b.password &&
         a.role_name == b.role_name && a.name == b.name && a.lastname == b.lastname;
}
bool same(const automation::PasswordChange& a, const automation::PasswordChange& b) {
  return a.target_username == b.target_username && a.new_password == b.new_password &&
         a.current_password == b.current_password;
}
bool same(const http::RoleUpdate& a, const http::RoleUpdate& b) {
  return a.target_username == b.target_username && a.new_role_name == b.new_role_name;
}
bool same(const automation::TptRequest& a, const automation::TptRequest& b) {
  return a.role_name == b.role_name && a.expires_in_seconds == b.expires_in_seconds &&
         a.description == b.description;
}
bool same(const automation::UserEdit& a, const automation::UserEdit& b) {
  return a.email == b.email && a.name == b.name && a.lastname == b.lastname;
}
bool same(const http::PasswordReset& a, const http::PasswordReset& b) {
  return a.target_username == b.target_username && a.new_password == b.new_password;
}
bool same(const http::NewRole& a, const http::NewRole& b) {
  return a.name == b.name && a.level == b.level;
}
bool same(const std::string& a, const std::string& b) { return a == b; }
bool same(const http::PasswordAndCode& a, const http::PasswordAndCode& b) {
  return a.password == b.password && a.code == b.code;
}
bool same(const http::MfaLogin& a, const http::MfaLogin& b) {
  return a.mfa_token == b.mfa_token && a.code == b.code;
}

template <typename Parse>
void check_body_parser(Parse parse, std::string_view body, BodyEncoding encoding) {
  const auto first = parse(body, encoding);
  const auto second = parse(body, encoding);
  if (first.has_value() != second.has_value()) invariant_broken("parse is not deterministic");
  if (!first) {
    if (first.error().message != second.error().message) {
      invariant_broken("parse error is not deterministic");
    }
    return;
  }
  if (!same(*first, *second)) invariant_broken("parse value is not deterministic");
  // Parsed strings are valid UTF-8 (a JSON parser and the form decoder both check), so dump()
  // cannot throw here.
  const std::string json_body = to_body(*first).dump();
  const auto reparsed = parse(json_body, BodyEncoding::kJson);
  if (!reparsed) invariant_broken("a parsed value written back as JSON does not parse");
  if (!same(*first, *reparsed)) invariant_broken("a parsed value does not round-trip as JSON");
}

void check_page_query(std::string_view query) {
  const auto page = http::parse_page_query(query);
  if (page && *page) {
    // A page is asked for by page, limit or a non-empty search, each read by query_value().
    const auto search = http::query_value(query, "search");
    if (!http::query_value(query, "page") && !http::query_value(query, "limit") &&
        (!search || search->empty())) {
      invariant_broken("a page query without page, limit or search");
    }
    if ((*page)->search != search.value_or("")) invariant_broken("search is not the query's");
  }
}

void check_audit_query(std::string_view query) {
  const auto filter = http::parse_audit_query(query);
  if (!filter) return;
  if (filter->limit < 1 || filter->limit > 1000) invariant_broken("audit limit out of 1..1000");
  if (filter->since && filter->until && *filter->since > *filter->until) {
    invariant_broken("an audit period that ends before it starts");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned selector = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const BodyEncoding encoding = (selector / 13) % 2 == 0 ? BodyEncoding::kJson : BodyEncoding::kForm;
  switch (selector % 13) {
    case 0: check_body_parser(http::parse_credentials, input, encoding); break;
    case 1: check_body_parser(http::parse_signup, input, encoding); break;
    case 2: check_body_parser(http::parse_password_change, input, encoding); break;
    case 3: check_body_parser(http::parse_role_update, input, encoding); break;
    case 4: check_body_parser(http::parse_tpt_request, input, encoding); break;
    case 5: check_body_parser(http::parse_user_edit, input, encoding); break;
    case 6: check_body_parser(http::parse_new_role, input, encoding); break;
    case 7: check_body_parser(http::parse_password_reset, input, encoding); break;
    case 8: check_page_query(input); break;
    case 9: check_audit_query(input); break;
    case 10: check_body_parser(http::parse_mfa_code, input, encoding); break;
    case 11: check_body_parser(http::parse_password_and_code, input, encoding); break;
    default: check_body_parser(http::parse_mfa_login, input, encoding); break;
  }
  return 0;
}
