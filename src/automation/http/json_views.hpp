#pragma once

// Domain values rendered as the JSON shapes of SPEC §3. The only place that decides which
// fields leave the server: never a password hash, a session digest or a stored secret.

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/model.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/requests.hpp"
#include "automation/http/http_message.hpp"

namespace automation::http {

// {"identifier","username","role":{"identifier","name","level"},"email","name","lastname"};
// name/lastname are null when unset or empty.
nlohmann::json user_json(const User& user);

// {"identifier","name","level"}.
nlohmann::json role_json(const Role& role);

// {"id","username","created_on","expires_on" (null: never),"created_at","expires_at"}: a
// session by its public id, never its key or the key's digest.
nlohmann::json session_json(const SessionSummary& session);

// {"jti","role","created_on","expires_on","description","created_by","revoked"}.
nlohmann::json tpt_record_json(const TptRecord& record);

// {"token","role","created_on","jti","message"} plus "expires_on" when the token expires.
nlohmann::json tpt_created_json(const TptCreated& created);

// {"time" (UTC "YYYY-MM-DD HH:MM:SS"),"timestamp","event","actor","target","address","outcome"}.
nlohmann::json audit_event_json(const AuditEvent& event);

// {"data":[users],"pagination":{"page","limit","total_records","total_pages"}}.
nlohmann::json user_page_json(const UserPage& page, std::int64_t page_number, std::int64_t limit);
// Its "pagination" object.
nlohmann::json pagination_json(const UserPage& page, std::int64_t page_number, std::int64_t limit);

// The JSON text of a page or of the whole list, rendered user by user rather than as one tree
// (a tree of 100,000 users takes several times the memory of its text): byte for byte what
// json_response(200, user_page_json(...)) and a json_response(200, array of user_json) send.
std::string user_page_text(const UserPage& page, std::int64_t page_number, std::int64_t limit);
std::string user_list_text(const std::vector<User>& users);
// user_page_text in two parts: the rows (`{"data":[users],"pagination":`), which pages that
// hold the same rows share, and the rest (the pagination object and the closing brace).
std::string user_page_rows_text(const std::vector<User>& users);
std::string user_page_pagination_text(std::int64_t total, std::int64_t page_number,
                                      std::int64_t limit);
// The same for one user: what json_response(200, user_json(user)) sends.
std::string user_text(const User& user);

// {"apiKey","role","role_level","datetime","timezone"}.
nlohmann::json login_json(const LoginResult& login, const std::string& datetime,
                          const std::string& timezone);

// A response whose body is `body` serialized (invalid UTF-8 from legacy data is replaced).
Response json_response(int status, const nlohmann::json& body);

// A response whose body is the JSON text `text`.
Response text_json_response(int status, std::string text);
// A response whose body is the shared JSON text `text`.
Response shared_json_response(int status, std::shared_ptr<const std::string> text);
// 200 with a body of another type (CSV, metrics, docs assets); content_type is a literal.
Response typed_response(std::string body, std::string_view content_type);

// {"message": message}.
Response message_response(int status, std::string_view message);

}  // namespace automation::http
