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
