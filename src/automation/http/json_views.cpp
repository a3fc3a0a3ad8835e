#include "automation/http/json_views.hpp"

#include <nlohmann/json.hpp>

#include "automation/core/time_format.hpp"

namespace automation::http {
namespace {

nlohmann::json optional_text(const std::optional<std::string>& value) {
  if (!value || value->empty()) return nullptr;
  return *value;
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
      {"created_at", session.created_at},
      {"expires_at", session.expires_at},
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
  // Not (total + limit - 1) / limit: that overflows for limits near INT64_MAX.
  const std::int64_t total_pages =
      limit > 0 ? page.total / limit + (page.total % limit != 0 ? 1 : 0) : 0;
  return nlohmann::json{
      {"data", std::move(data)},
      {"pagination",
       {{"page", page_number},
        {"limit", limit},
        {"total_records", page.total},
        {"total_pages", total_pages}}},
  };
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
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response message_response(int status, std::string_view message) {
  return json_response(status, nlohmann::json{{"message", message}});
}

}  // namespace automation::http
