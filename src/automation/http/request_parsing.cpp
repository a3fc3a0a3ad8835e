#include "automation/http/request_parsing.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "automation/core/text.hpp"

namespace automation::http {
namespace {

// Deeper documents are refused before they are built (no request needs more than 2 levels).
constexpr int kMaxJsonDepth = 32;

Error malformed_body() { return Error::make(ErrorCode::kInvalidArgument, "Malformed JSON body"); }

Error malformed_form(const std::string& why) {
  return Error::make(ErrorCode::kInvalidArgument, "Malformed form body: " + why);
}

Result<nlohmann::json> parse_json_object(std::string_view body) {
  bool too_deep = false;
  const nlohmann::json::parser_callback_t guard =
      [&too_deep](int depth, nlohmann::json::parse_event_t /*event*/, nlohmann::json& /*value*/) {
        if (depth > kMaxJsonDepth) too_deep = true;
        return !too_deep;
      };
  // No exceptions: a parse error (syntax, invalid UTF-8 in a string) yields `discarded`.
  nlohmann::json document = nlohmann::json::parse(body, guard, /*allow_exceptions=*/false);
  if (too_deep || document.is_discarded()) return fail(malformed_body());
  if (!document.is_object()) {
    return fail(ErrorCode::kInvalidArgument, "Request body must be a JSON object");
  }
  return document;
}

// An application/x-www-form-urlencoded body as a JSON object of strings, so FieldReader reads
// it like a JSON body. Empty segments ("a=1&&b=2", a trailing '&') are skipped and a segment
// without '=' is a field with an empty value, as browsers' form decoders do. A repeated field:
// the first occurrence wins, as in query strings (query_value) and as upstream's parsers
// (flask-restx reqparse, action "store") take the first value.
Result<nlohmann::json> parse_form_object(std::string_view body) {
  nlohmann::json object = nlohmann::json::object();
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), /*plus_is_space=*/true);
    if (!name) return fail(malformed_form("a field name has a bad percent-escape"));
    // Names are echoed in errors and become JSON keys: they must be text, as in a JSON body.
    if (!is_valid_utf8(*name)) return fail(malformed_form("a field name is not valid UTF-8"));
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    auto value = percent_decode(raw_value, /*plus_is_space=*/true);
    if (!value) return fail(malformed_form("bad percent-escape in the value of " + *name));
    // A JSON body cannot carry invalid UTF-8 either: both encodings accept the same values.
    if (!is_valid_utf8(*value)) {
      return fail(malformed_form("the value of " + *name + " is not valid UTF-8"));
    }
    if (!object.contains(*name)) object[*name] = std::move(*value);
  }
  return object;
}

// The whole of `text` as a decimal int64 (an optional '-', digits, nothing else).
enum class DecimalParse { kOk, kNotAnInteger, kOutOfRange };
DecimalParse parse_decimal(std::string_view text, std::int64_t& value) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc::result_out_of_range && ptr == end) return DecimalParse::kOutOfRange;
  if (text.empty() || ec != std::errc() || ptr != end) return DecimalParse::kNotAnInteger;
  return DecimalParse::kOk;
}

// A body or query field with upstream's reqparse help text for it ("" where upstream has no
// such argument). flask-restx answers a bad argument with "<help> <error>", so the help text
// leads each reason given for the field.
struct Field {
  const char* name;
  std::string_view help;
};

// Upstream's reqparse arguments (automation/modules/users/resources/models/users.py and
// models/roles.py, PyAutomation cf82ae6), whose help texts its clients show.
constexpr Field kLoginUsername{"username", "Username"};
constexpr Field kLoginEmail{"email", "User email"};
constexpr Field kLoginPassword{"password", "User password"};
constexpr Field kSignupUsername{"username", "Username"};
constexpr Field kSignupEmail{"email", "Email address"};
constexpr Field kSignupPassword{"password", "Password"};
constexpr Field kSignupName{"name", "User's name"};
constexpr Field kSignupLastname{"lastname", "User's lastname"};
constexpr Field kChangeTarget{"target_username", "Username whose password will be changed"};
constexpr Field kResetTarget{"target_username", "Username whose password will be reset"};
constexpr Field kNewPassword{"new_password", "New password"};
constexpr Field kCurrentPassword{"current_password",
                                 "Current password (required when changing own password)"};
constexpr Field kRoleUpdateTarget{"target_username", "Username whose role will be updated"};
constexpr Field kRoleUpdateNewRole{"new_role_name", "New role name to assign"};
constexpr Field kTptRoleName{"role_name", "Role name to embed in the JWT token"};
constexpr Field kAddRoleName{"name", "Role name"};
constexpr Field kAddRoleLevel{"level", "Role level, 0 maximum level"};
constexpr Field kPage{"page", "Page number"};
constexpr Field kLimit{"limit", "Items per page"};

// Fields upstream does not have: their reasons stand alone, as flask-restx's do without help.
constexpr Field kSignupRoleName{"role_name", ""};
constexpr Field kTptExpiresIn{"expires_in", ""};
constexpr Field kTptDescription{"description", ""};
constexpr Field kEditEmail{"email", ""};
constexpr Field kEditName{"name", ""};
constexpr Field kEditLastname{"lastname", ""};
constexpr Field kLoginOtp{"otp", ""};
constexpr Field kMfaCode{"code", ""};
constexpr Field kMfaPassword{"password", ""};
constexpr Field kMfaToken{"mfa_token", ""};
constexpr Field kSignUsername{"username", ""};
constexpr Field kSignPassword{"password", ""};
constexpr Field kSignCode{"code", ""};
constexpr Field kSignMeaning{"meaning", ""};
constexpr Field kRecordType{"record_type", ""};
constexpr Field kRecordId{"record_id", ""};
constexpr Field kRecordDigest{"record_digest", ""};
constexpr Field kSignComment{"comment", ""};
constexpr Field kSignVerifies{"verifies", ""};
constexpr Field kSignatureId{"signature_id", ""};

// flask-restx's words for a required argument that is absent (its locations: JSON, form, query).
constexpr std::string_view kMissing =
    "Missing required parameter in the JSON body or the post body or the query string";

// Reasons per field ("<help> <why>", or `why` alone for a field without help text), answered
// together as one 400 with flask-restx's top-level words.
class FieldErrors {
 public:
  void add(const Field& field, std::string_view why) {
    std::string reason = field.help.empty() ? std::string() : std::string(field.help) + ' ';
    reason += why;
    errors_.emplace(field.name, std::move(reason));
  }
  bool contains(const Field& field) const { return errors_.contains(field.name); }

  Status result() const {
    if (errors_.empty()) return {};
    Error error = Error::make(ErrorCode::kInvalidArgument, "Input payload validation failed");
    error.fields = errors_;
    return fail(std::move(error));
  }

 private:
  std::map<std::string, std::string> errors_;
};

// Reads typed fields from a decoded body and collects every problem, so one 400 names all.
// A field that is null counts as absent.
class FieldReader {
 public:
  FieldReader(const nlohmann::json& object, BodyEncoding encoding)
      : object_(object), encoding_(encoding) {}

  std::string required_string(const Field& field) {
    auto value = optional_string(field);
    if (!value && !errors_.contains(field)) add_error(field, kMissing);
    return value.value_or(std::string());
  }

  std::optional<std::string> optional_string(const Field& field) {
    const auto* value = find(field.name);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) {
      add_error(field, "must be a string");
      return std::nullopt;
    }
    auto text = value->get<std::string>();
    // Defence in depth: no field of this API may carry a NUL (the core checks again).
    if (text.find('\0') != std::string::npos) {
      add_error(field, "must not contain NUL characters");
      return std::nullopt;
    }
    return text;
  }

  std::int64_t required_integer(const Field& field) {
    auto value = optional_integer(field);
    if (!value && !errors_.contains(field)) add_error(field, kMissing);
    return value.value_or(0);
  }

  std::optional<std::int64_t> optional_integer(const Field& field) {
    const auto* value = find(field.name);
    if (value == nullptr) return std::nullopt;
    if (value->is_number_integer()) {
      if (value->is_number_unsigned() &&
          value->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
        add_error(field, "is out of range");
        return std::nullopt;
      }
      return value->get<std::int64_t>();
    }
    // Every form value is text; only there is a number's text accepted for an integer.
    if (value->is_string() && encoding_ == BodyEncoding::kForm) {
      std::int64_t number = 0;
      switch (parse_decimal(value->get_ref<const std::string&>(), number)) {
        case DecimalParse::kOk:
          return number;
        case DecimalParse::kOutOfRange:
          add_error(field, "is out of range");
          return std::nullopt;
        case DecimalParse::kNotAnInteger:
          break;
      }
    }
    add_error(field, "must be an integer");
    return std::nullopt;
  }

  bool has(const Field& field) const { return find(field.name) != nullptr; }

  void add_error(const Field& field, std::string_view why) { errors_.add(field, why); }
  Status result() const { return errors_.result(); }

 private:
  const nlohmann::json* find(const char* field) const {
    const auto it = object_.find(field);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  const nlohmann::json& object_;
  BodyEncoding encoding_;
  FieldErrors errors_;
};

// Decodes the body, runs `read` over its fields and returns the value or the collected errors.
template <typename T, typename Read>
Result<T> read_body(std::string_view body, BodyEncoding encoding, Read read) {
  auto document =
      encoding == BodyEncoding::kForm ? parse_form_object(body) : parse_json_object(body);
  if (!document) return fail(document.error());
  FieldReader fields(*document, encoding);
  T value = read(fields);
  if (auto status = fields.result(); !status) return fail(status.error());
  return value;
}

std::optional<std::int64_t> to_int64(std::string_view text) {
  std::int64_t value = 0;
  if (parse_decimal(text, value) != DecimalParse::kOk) return std::nullopt;
  return value;
}

// ?limit=: `fallback` when absent, else an integer in 1..max.
Result<int> parse_limit(std::string_view query, int fallback, int max) {
  const auto text = query_value(query, "limit");
  if (!text) return fallback;
  const auto value = to_int64(*text);
  if (!value) return fail(Error::invalid("limit", "must be an integer"));
  if (*value < 1 || *value > max) {
    return fail(Error::invalid("limit", "must be between 1 and " + std::to_string(max)));
  }
  return static_cast<int>(*value);
}

std::string_view trim_spaces(std::string_view text) {
  constexpr std::string_view kSpace = " \t";
  const auto begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

BodyEncoding body_encoding(const std::optional<std::string>& content_type) {
  if (!content_type) return BodyEncoding::kJson;
  const std::string_view value = *content_type;
  const std::string_view media_type = trim_spaces(value.substr(0, value.find(';')));
  return iequals_ascii(media_type, "application/x-www-form-urlencoded") ? BodyEncoding::kForm
                                                                        : BodyEncoding::kJson;
}

Result<Credentials> parse_credentials(std::string_view body, BodyEncoding encoding) {
  return read_body<Credentials>(body, encoding, [](FieldReader& fields) {
    Credentials credentials;
    credentials.username = fields.optional_string(kLoginUsername);
    credentials.email = fields.optional_string(kLoginEmail);
    // Upstream takes both as optional; here one of them is needed to find the account.
    if (!fields.has(kLoginUsername) && !fields.has(kLoginEmail)) {
      fields.add_error(kLoginUsername, "or User email is required");
    }
    credentials.password = fields.required_string(kLoginPassword);
    credentials.otp = fields.optional_string(kLoginOtp);
    return credentials;
  });
}

Result<std::string> parse_mfa_code(std::string_view body, BodyEncoding encoding) {
  return read_body<std::string>(body, encoding, [](FieldReader& fields) {
    return fields.required_string(kMfaCode);
  });
}

Result<PasswordAndCode> parse_password_and_code(std::string_view body, BodyEncoding encoding) {
  return read_body<PasswordAndCode>(body, encoding, [](FieldReader& fields) {
    PasswordAndCode request;
    request.password = fields.required_string(kMfaPassword);
    request.code = fields.required_string(kMfaCode);
    return request;
  });
}

Result<MfaLogin> parse_mfa_login(std::string_view body, BodyEncoding encoding) {
  return read_body<MfaLogin>(body, encoding, [](FieldReader& fields) {
    MfaLogin request;
    request.mfa_token = fields.required_string(kMfaToken);
    request.code = fields.required_string(kMfaCode);
    return request;
  });
}

Result<SignupRequest> parse_signup(std::string_view body, BodyEncoding encoding) {
  return read_body<SignupRequest>(body, encoding, [](FieldReader& fields) {
    SignupRequest request;
    request.username = fields.required_string(kSignupUsername);
    request.email = fields.required_string(kSignupEmail);
    request.password = fields.required_string(kSignupPassword);
    request.role_name = fields.optional_string(kSignupRoleName);
    request.name = fields.optional_string(kSignupName);
    request.lastname = fields.optional_string(kSignupLastname);
    return request;
  });
}

Result<PasswordChange> parse_password_change(std::string_view body, BodyEncoding encoding) {
  return read_body<PasswordChange>(body, encoding, [](FieldReader& fields) {
    PasswordChange change;
    change.target_username = fields.required_string(kChangeTarget);
    change.new_password = fields.required_string(kNewPassword);
    change.current_password = fields.optional_string(kCurrentPassword);
    return change;
  });
}

Result<PasswordReset> parse_password_reset(std::string_view body, BodyEncoding encoding) {
  return read_body<PasswordReset>(body, encoding, [](FieldReader& fields) {
    PasswordReset reset;
    reset.target_username = fields.required_string(kResetTarget);
    reset.new_password = fields.required_string(kNewPassword);
    reset.current_password = fields.optional_string(kCurrentPassword);
    return reset;
  });
}

Result<RoleUpdate> parse_role_update(std::string_view body, BodyEncoding encoding) {
  return read_body<RoleUpdate>(body, encoding, [](FieldReader& fields) {
    RoleUpdate update;
    update.target_username = fields.required_string(kRoleUpdateTarget);
    update.new_role_name = fields.required_string(kRoleUpdateNewRole);
    return update;
  });
}

Result<TptRequest> parse_tpt_request(std::string_view body, BodyEncoding encoding) {
  return read_body<TptRequest>(body, encoding, [](FieldReader& fields) {
    TptRequest request;
    request.role_name = fields.required_string(kTptRoleName);
    request.expires_in_seconds = fields.optional_integer(kTptExpiresIn);
    if (request.expires_in_seconds && *request.expires_in_seconds <= 0) {
      fields.add_error(kTptExpiresIn, "must be a positive number of seconds");
    }
    request.description = fields.optional_string(kTptDescription).value_or(std::string());
    return request;
  });
}

Result<UserEdit> parse_user_edit(std::string_view body, BodyEncoding encoding) {
  return read_body<UserEdit>(body, encoding, [](FieldReader& fields) {
    UserEdit edit;
    edit.email = fields.optional_string(kEditEmail);
    edit.name = fields.optional_string(kEditName);
    edit.lastname = fields.optional_string(kEditLastname);
    if (!fields.has(kEditEmail) && !fields.has(kEditName) && !fields.has(kEditLastname)) {
      fields.add_error(kEditEmail, "one of email, name or lastname is required");
    }
    return edit;
  });
}

Result<NewRole> parse_new_role(std::string_view body, BodyEncoding encoding) {
  return read_body<NewRole>(body, encoding, [](FieldReader& fields) {
    NewRole role;
    role.name = fields.required_string(kAddRoleName);
    role.level = fields.required_integer(kAddRoleLevel);
    return role;
  });
}

Result<std::optional<PageQuery>> parse_page_query(std::string_view query) {
  const auto page = query_value(query, kPage.name);
  const auto limit = query_value(query, kLimit.name);
  auto search = query_value(query, "search");
  // A search answers one page (the first 20 unless asked otherwise) of what it found.
  if (!page && !limit && (!search || search->empty())) return std::optional<PageQuery>();
  PageQuery result;
  result.search = std::move(search).value_or("");
  // Integers as upstream's reqparse (type=int) reads them, and a bad one answered its way.
  FieldErrors errors;
  auto read = [&errors](const std::optional<std::string>& text, const Field& field,
                        std::int64_t& value) {
    if (!text) return;
    if (auto number = to_int64(*text)) {
      value = *number;
    } else {
      errors.add(field, "must be an integer");
    }
  };
  read(page, kPage, result.page);
  read(limit, kLimit, result.limit);
  if (auto status = errors.result(); !status) return fail(status.error());
  return std::optional<PageQuery>(result);
}

Result<AuditEventFilter> parse_audit_query(std::string_view query) {
  constexpr std::size_t kMaxFilterBytes = 255;  // the audit columns' width
  AuditEventFilter filter;
  auto limit = parse_limit(query, /*fallback=*/100, /*max=*/1000);
  if (!limit) return fail(limit.error());
  filter.limit = *limit;
  for (auto [name, bound] : {std::pair{"since", &filter.since}, std::pair{"until", &filter.until}}) {
    if (const auto text = query_value(query, name)) {
      const auto value = to_int64(*text);
      if (!value) return fail(Error::invalid(name, "must be an integer (Unix seconds)"));
      *bound = *value;
    }
  }
  if (filter.since && filter.until && *filter.since > *filter.until) {
    return fail(Error::invalid("until", "must not be before since"));
  }
  for (auto [name, text] : {std::pair{"event", &filter.event}, std::pair{"actor", &filter.actor},
                            std::pair{"target", &filter.target}, std::pair{"outcome", &filter.outcome}}) {
    *text = query_value(query, name).value_or("");
    if (text->size() > kMaxFilterBytes) return fail(Error::invalid(name, "must be at most 255 bytes"));
  }
  constexpr std::array<std::string_view, 4> kOutcomes = {"success", "failure", "denied", "throttled"};
  if (!filter.outcome.empty() && std::ranges::find(kOutcomes, filter.outcome) == kOutcomes.end()) {
    return fail(Error::invalid("outcome", "must be success, failure, denied or throttled"));
  }
  return filter;
}

Result<AuditExportQuery> parse_audit_export(std::string_view query) {
  constexpr int kMaxLimit = 100000;
  AuditExportQuery result;
  if (const auto format = query_value(query, "format")) {
    if (*format == "jsonl") {
      result.format = AuditExportQuery::Format::kJsonLines;
    } else if (*format == "csv") {
      result.format = AuditExportQuery::Format::kCsv;
    } else {
      return fail(Error::invalid("format", "must be jsonl or csv"));
    }
  }
  if (const auto after = query_value(query, "after_seq")) {
    const auto value = to_int64(*after);
    if (!value || *value < 0) return fail(Error::invalid("after_seq", "must be an integer >= 0"));
    result.after_seq = *value;
  }
  auto limit = parse_limit(query, result.limit, kMaxLimit);
  if (!limit) return fail(limit.error());
  result.limit = *limit;
  return result;
}

Result<SignRequest> parse_sign_request(std::string_view body, BodyEncoding encoding) {
  return read_body<SignRequest>(body, encoding, [](FieldReader& fields) {
    SignRequest request;
    request.username = fields.optional_string(kSignUsername);
    request.password = fields.required_string(kSignPassword);
    request.code = fields.optional_string(kSignCode);
    request.meaning = fields.required_string(kSignMeaning);
    request.record_type = fields.optional_string(kRecordType);
    request.record_id = fields.optional_string(kRecordId);
    request.record_digest = fields.optional_string(kRecordDigest);
    request.comment = fields.optional_string(kSignComment);
    request.verifies = fields.optional_string(kSignVerifies);
    return request;
  });
}

Result<SignatureCheckRequest> parse_signature_check(std::string_view body,
                                                    BodyEncoding encoding) {
  return read_body<SignatureCheckRequest>(body, encoding, [](FieldReader& fields) {
    SignatureCheckRequest request;
    request.signature_id = fields.required_string(kSignatureId);
    request.record_digest = fields.optional_string(kRecordDigest);
    return request;
  });
}

Result<SignatureQuery> parse_signature_query(std::string_view query) {
  SignatureQuery result;
  result.record_type = query_value(query, "record_type");
  result.record_id = query_value(query, "record_id");
  if (result.record_id && !result.record_type) {
    return fail(Error::invalid("record_type", "is required with record_id"));
  }
  auto limit = parse_limit(query, result.limit, 1000);
  if (!limit) return fail(limit.error());
  result.limit = *limit;
  return result;
}

std::optional<std::string> query_value(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto eq = pair.find('=');
    const auto name = percent_decode(pair.substr(0, eq), true);
    if (!name || *name != key) continue;
    if (eq == std::string_view::npos) return std::string();
    const std::string_view raw = pair.substr(eq + 1);
    // A bad escape is kept raw: it is then no valid value for any parameter we read.
    return percent_decode(raw, true).value_or(std::string(raw));
  }
  return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_digit(text[i + 1]);
      const int lo = hex_digit(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace automation::http
