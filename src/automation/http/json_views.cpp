#include "automation/http/json_views.hpp"

#include <nlohmann/json.hpp>

#include "automation/core/time_format.hpp"

namespace automation::http {
namespace {

nlohmann::json optional_text(const std::optional<std::string>& value) {
  if (!value || value->empty()) return nullptr;
  return *value;
}

std::string dump(const nlohmann::json& body) {
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Text that nlohmann writes between quotes unchanged: printable ASCII but '"' and '\\'.
bool is_plain(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

void append_string(std::string& out, const std::string& text) {
  if (is_plain(text)) {
    out += '"';
    out += text;
    out += '"';
  } else {
    out += dump(nlohmann::json(text));  // escapes and replaces invalid UTF-8 as json_response
  }
}

void append_optional(std::string& out, const std::optional<std::string>& text) {
  if (!text || text->empty()) {
    out += "null";
  } else {
    append_string(out, *text);
  }
}

// dump(user_json(user)) without building the tree: the keys in the order nlohmann's objects
// (sorted maps) write them. Lists render thousands of users; the tree cost more than the query.
void append_user(std::string& out, const User& user) {
  out += "{\"email\":";
  append_string(out, user.email);
  out += ",\"identifier\":";
  append_string(out, user.identifier);
  out += ",\"lastname\":";
  append_optional(out, user.lastname);
  out += ",\"name\":";
  append_optional(out, user.name);
  out += ",\"role\":{\"identifier\":";
  append_string(out, user.role.identifier);
  out += ",\"level\":";
  out += std::to_string(user.role.level);
  out += ",\"name\":";
  append_string(out, user.role.name);
  out += "},\"username\":";
  append_string(out, user.username);
  out += '}';
}

// Appends "[user,user,...]" as nlohmann's compact dump of the array would write it.
void append_users(std::string& out, const std::vector<User>& users) {
  // Room for every user without escapes (keys, quotes, commas and a level take < 128 bytes),
  // so a 100,000-user text is allocated once rather than grown by doubling.
  constexpr std::size_t kFixedBytes = 128;
  std::size_t size = out.size() + 2 + kFixedBytes;  // + what follows the array in a page
  for (const User& user : users) {
    size += kFixedBytes + user.email.size() + user.identifier.size() + user.username.size() +
            (user.name ? user.name->size() : 0) + (user.lastname ? user.lastname->size() : 0) +
            user.role.identifier.size() + user.role.name.size();
  }
  out.reserve(size);
  out += '[';
  for (std::size_t i = 0; i < users.size(); ++i) {
    if (i > 0) out += ',';
    append_user(out, users[i]);
  }
  out += ']';
}

std::int64_t total_pages(std::int64_t total, std::int64_t limit) {
  // Not (total + limit - 1) / limit: that overflows for limits near INT64_MAX.
  return limit > 0 ? total / limit + (total % limit != 0 ? 1 : 0) : 0;
}

}  // namespace

nlohmann::json user_json(const User& user) {
  return nlohmann::json{
      {"identifier", user.identifier},    {"username", user.username},
      {"role", role_json(user.role)},     {"email", user.email},
      {"name", optional_text(user.name)}, {"lastname", optional_text(user.lastname)},
  };
}

nlohmann::json role_json(const Role& role) {
  return nlohmann::json{
      {"identifier", role.identifier}, {"name", role.name}, {"level", role.level}};
}

nlohmann::json tpt_record_json(const TptRecord& record) {
  return nlohmann::json{
      {"jti", record.jti},
      {"role", record.role},
      {"created_on", record.created_on},
      {"expires_on", record.expires_on ? nlohmann::json(*record.expires_on) : nullptr},
      {"description", record.description},
      {"created_by", record.created_by},
      {"revoked", record.revoked},
  };
}

nlohmann::json tpt_created_json(const TptCreated& created) {
  nlohmann::json body{
      {"token", created.token},
      {"role", created.record.role},
      {"created_on", created.record.created_on},
      {"jti", created.record.jti},
      {"message", "Third Party Token created successfully"},
  };
  if (created.record.expires_on) body["expires_on"] = *created.record.expires_on;
  return body;
}

nlohmann::json session_json(const SessionSummary& session) {
  return nlohmann::json{
      {"id", session.id},
      {"username", session.username},
      {"created_on", format_utc(session.created_at)},
      {"expires_on",
       session.expires_at == 0 ? nlohmann::json(nullptr) : nlohmann::json(format_utc(session.expires_at))},
      {"last_used_on", session.last_used_at == 0 ? nlohmann::json(nullptr)
                                                 : nlohmann::json(format_utc(session.last_used_at))},
      {"client_address", session.client_address.empty() ? nlohmann::json(nullptr)
                                                          : nlohmann::json(session.client_address)},
      {"created_at", session.created_at},
      {"expires_at", session.expires_at},
      {"last_used_at", session.last_used_at},
  };
}

nlohmann::json audit_event_json(const AuditEvent& event) {
  return nlohmann::json{
      {"time", format_utc(event.time)}, {"timestamp", event.time}, {"event", event.event},
      {"actor", event.actor},           {"target", event.target},  {"address", event.address},
      {"outcome", event.outcome},       {"reason", event.reason},
  };
}

nlohmann::json user_page_json(const UserPage& page, std::int64_t page_number, std::int64_t limit) {
  nlohmann::json data = nlohmann::json::array();
  for (const auto& user : page.users) data.push_back(user_json(user));
  return nlohmann::json{
      {"data", std::move(data)},
      {"pagination", pagination_json(page, page_number, limit)},
  };
}

nlohmann::json pagination_json(const UserPage& page, std::int64_t page_number,
                               std::int64_t limit) {
  return nlohmann::json{{"page", page_number},
                        {"limit", limit},
                        {"total_records", page.total},
                        {"total_pages", total_pages(page.total, limit)}};
}

std::string user_page_text(const UserPage& page, std::int64_t page_number, std::int64_t limit) {
  std::string out = user_page_rows_text(page.users);
  out += user_page_pagination_text(page.total, page_number, limit);
  return out;
}

std::string user_page_rows_text(const std::vector<User>& users) {
  // The keys in the order nlohmann's object (a sorted map) writes them: "data", "pagination".
  std::string out = "{\"data\":";
  append_users(out, users);
  out += ",\"pagination\":";
  return out;
}

std::string user_page_pagination_text(std::int64_t total, std::int64_t page_number,
                                      std::int64_t limit) {
  UserPage counted;
  counted.total = total;
  std::string out = dump(pagination_json(counted, page_number, limit));
  out += '}';
  return out;
}

std::string user_text(const User& user) {
  std::string out;
  append_user(out, user);
  return out;
}

std::string user_list_text(const std::vector<User>& users) {
  std::string out;
  append_users(out, users);
  return out;
}

nlohmann::json login_json(const LoginResult& login, const std::string& datetime,
                          const std::string& timezone) {
  return nlohmann::json{
      {"apiKey", login.api_key}, {"role", login.role.name}, {"role_level", login.role.level},
      {"datetime", datetime},    {"timezone", timezone},
  };
}

Response json_response(int status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  response.body = dump(body);
  return response;
}

Response text_json_response(int status, std::string text) {
  Response response;
  response.status = status;
  response.body = std::move(text);
  return response;
}

Response shared_json_response(int status, std::shared_ptr<const std::string> text) {
  Response response;
  response.status = status;
  response.shared_body = std::move(text);
  return response;
}

Response typed_response(std::string body, std::string_view content_type) {
  Response response;
  response.body = std::move(body);
  response.content_type = content_type;
  return response;
}

Response message_response(int status, std::string_view message) {
  return json_response(status, nlohmann::json{{"message", message}});
}

}  // namespace automation::http
