// Drop-in compatibility with upstream PyAutomation where clients can tell (issue 6): unknown
// targets, the two 401 messages, large page limits, role identifiers in user JSON, the failed
// login body, form-encoded bodies, current_password checks and login by email.

#include <cstdint>
#include <limits>

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

const std::string kFormType = "Content-Type: application/x-www-form-urlencoded";

class Compat : public ApiTest {
 protected:
  // POST of a form body with the system key (or `key`).
  HttpResponse post_form(const std::string& path,
                         const std::vector<std::pair<std::string, std::string>>& fields,
                         const std::string& key, const std::string& content_type = kFormType) {
    Headers headers = {content_type};
    if (!key.empty()) headers.push_back("X-API-KEY: " + key);
    return http().post_raw(path, form_encode(fields), headers);
  }

  // The role list entry named `name`.
  json role_named(const std::string& name) {
    const auto roles = http().get("/api/users/roles/", api_key(system_key()));
    EXPECT_EQ(roles.status, 200) << roles.body;
    for (const auto& role : roles.json()) {
      if (role.at("name") == name) return role;
    }
    ADD_FAILURE() << "no role " << name << " in " << roles.body;
    return json();
  }
};

// --- 1. Unknown targets ----------------------------------------------------------------------

TEST_F(Compat, UnknownTargetOfPasswordAndRoleChangesIs400UserNotFound) {
  const std::string ghost = unique_name("ghost");
  const json not_found = {{"message", "User " + ghost + " not found"}};
  const auto change =
      http().post("/api/users/change_password",
                  json{{"target_username", ghost}, {"new_password", "Whatever-Passw0rd"}},
                  api_key(system_key()));
  EXPECT_EQ(change.status, 400) << change.body;
  EXPECT_EQ(change.json(), not_found);
  const auto reset =
      http().post("/api/users/reset_password",
                  json{{"target_username", ghost}, {"new_password", "Whatever-Passw0rd"}},
                  api_key(system_key()));
  EXPECT_EQ(reset.status, 400) << reset.body;
  EXPECT_EQ(reset.json(), not_found);
  const auto role = http().post("/api/users/update_role",
                                json{{"target_username", ghost}, {"new_role_name", "guest"}},
                                api_key(system_key()));
  EXPECT_EQ(role.status, 400) << role.body;
  EXPECT_EQ(role.json(), not_found);
}

TEST_F(Compat, SudoTargetsLookUnknownToAnAdmin) {
  const std::string admin = unique_name("c_admin");
  create_user(admin, "admin");
  const std::string key = login(admin);
  const json not_found = {{"message", "User system not found"}};
  const json change_body = {{"target_username", "system"}, {"new_password", "Whatever-Passw0rd"}};
  const auto change = http().post("/api/users/change_password", change_body, api_key(key));
  EXPECT_EQ(change.status, 400) << change.body;
  EXPECT_EQ(change.json(), not_found);
  const auto reset = http().post("/api/users/reset_password", change_body, api_key(key));
  EXPECT_EQ(reset.status, 400) << reset.body;
  EXPECT_EQ(reset.json(), not_found);
  const auto role =
      http().post("/api/users/update_role",
                  json{{"target_username", "system"}, {"new_role_name", "admin"}}, api_key(key));
  EXPECT_EQ(role.status, 400) << role.body;
  EXPECT_EQ(role.json(), not_found);
}

// --- 2. The two 401 answers --------------------------------------------------------------------

TEST_F(Compat, NoKeyIsKeyIsMissingAndBadKeyIsInvalidToken) {
  const json missing = {{"message", "Key is missing."}};
  for (const Headers& headers : std::vector<Headers>{
           {},
           {"X-API-KEY;"},  // curl's way of sending an empty header value
           {"X-API-KEY:    "},
           {"Authorization: Token"},
           {"Authorization: Bearer   "},
           {"X-API-KEY;", "Authorization: Token"},
       }) {
    const auto response = http().get("/api/users/me", headers);
    EXPECT_EQ(response.status, 401) << (headers.empty() ? "" : headers[0]) << ": " << response.body;
    EXPECT_EQ(response.json(), missing) << (headers.empty() ? "" : headers[0]);
  }
  const auto invalid = http().get("/api/users/me", api_key("not-a-key"));
  EXPECT_EQ(invalid.status, 401);
  EXPECT_EQ(invalid.json(), json({{"message", "Invalid token"}}));
}

TEST_F(Compat, EmptyXApiKeyDoesNotHideAValidAuthorizationHeader) {
  for (const Headers& headers : std::vector<Headers>{
           {"X-API-KEY;", "Authorization: Token " + system_key()},
           {"X-API-KEY:   ", "Authorization: Bearer " + system_key()},
       }) {
    const auto me = http().get("/api/users/me", headers);
    EXPECT_EQ(me.status, 200) << headers[0] << ": " << me.body;
  }
}

}  // namespace
}  // namespace automation::testing
