// Replays, in order, the calls PyAutomation's web HMI makes for user management
// (hmi/src/services/{auth,users,api}.ts upstream: axios with JSON bodies, the key in X-API-KEY,
// the trailing slashes it uses) and checks every status and JSON shape it relies on.

#include <algorithm>
#include <cctype>

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

class HmiReplay : public ApiTest {};

// {"data":[users],"pagination":{"page","limit","total_records","total_pages"}}; returns data.
json expect_users_page(const HttpResponse& response, long long page, long long limit) {
  EXPECT_EQ(response.status, 200) << response.body;
  const json body = response.json();
  EXPECT_EQ(body.size(), 2U) << body;
  const json& pagination = body.at("pagination");
  EXPECT_EQ(pagination.size(), 4U) << pagination;
  EXPECT_EQ(pagination.at("page"), page);
  EXPECT_EQ(pagination.at("limit"), limit);
  const long long total = pagination.at("total_records").get<long long>();
  EXPECT_EQ(pagination.at("total_pages"), (total + limit - 1) / limit);
  const json& data = body.at("data");
  EXPECT_TRUE(data.is_array());
  EXPECT_EQ(static_cast<long long>(data.size()), std::min(limit, total));
  for (const auto& user : data) expect_user_shape(user);
  return data;
}

const json* find_user(const json& users, const std::string& username) {
  for (const auto& user : users) {
    if (user.at("username") == username) return &user;
  }
  return nullptr;
}

TEST_F(HmiReplay, UserManagementSessionFromLoginToLogout) {
  // Set-up outside the replay: the admin who uses the HMI.
  const std::string admin = unique_name("hmi_admin");
  create_user(admin, "admin");
  const std::string newcomer = unique_name("hmi_user");
  std::string role_name = unique_name("hmi_role");
  std::transform(role_name.begin(), role_name.end(), role_name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  const std::string first_password = "Hmi-First-Passw0rd";
  const std::string reset_password = "Hmi-Reset-Passw0rd";
  const std::string changed_password = "Hmi-Changed-Passw0rd";
  for (const auto& secret : {first_password, reset_password, changed_password}) {
    remember_secret(secret);
  }

  // auth.ts login(): POST /users/login {username, password}.
  const auto login_response =
      http().post("/api/users/login", json{{"username", admin}, {"password", kUserPassword}});
  ASSERT_EQ(login_response.status, 200) << login_response.body;
  const json session = login_response.json();
  EXPECT_EQ(session.size(), 5U) << session;
  const std::string key = session.at("apiKey");
  remember_secret(key);
  EXPECT_EQ(session.at("role"), "admin");
  EXPECT_EQ(session.at("role_level"), 1);
  EXPECT_TRUE(is_login_datetime(session.at("datetime").get<std::string>())) << session;
  EXPECT_EQ(session.at("timezone"), "America/Caracas");
  const Headers as_admin = api_key(key);

  // users.ts getUsers(): GET /users/ with params {page, limit}.
  const json first_page =
      expect_users_page(http().get("/api/users/?page=1&limit=20", as_admin), 1, 20);
  EXPECT_NE(find_user(first_page, admin), nullptr) << first_page;
  EXPECT_EQ(find_user(first_page, "system"), nullptr) << "sudo users are left out";

  // users.ts getAllRoles(): GET /users/roles/.
  const auto roles = http().get("/api/users/roles/", as_admin);
  ASSERT_EQ(roles.status, 200) << roles.body;
  ASSERT_TRUE(roles.json().is_array());
  for (const auto& role : roles.json()) {
    expect_role_shape(role);
    EXPECT_NE(role.at("name"), "sudo");
  }

  // users.ts createRole(): POST /users/roles/add {name: NAME.toUpperCase(), level}.
  const auto created_role =
      http().post("/api/users/roles/add", json{{"name", role_name}, {"level", 5}}, as_admin);
  ASSERT_EQ(created_role.status, 200) << created_role.body;
  const json role = created_role.json();
  expect_role_shape(role);
  EXPECT_EQ(role.at("name"), role_name);
  EXPECT_EQ(role.at("level"), 5);

  // auth.ts signup() with the admin's key: {username, email, password, role_name, name, lastname}.
  const auto signup = http().post("/api/users/signup",
                                  json{{"username", newcomer},
                                       {"email", newcomer + "@plant.example"},
                                       {"password", first_password},
                                       {"role_name", "operator"},
                                       {"name", "New"},
                                       {"lastname", "Operator"}},
                                  as_admin);
  ASSERT_EQ(signup.status, 200) << signup.body;
  const json user = signup.json();
  expect_user_shape(user);
  EXPECT_EQ(user.at("username"), newcomer);
  EXPECT_EQ(user.at("email"), newcomer + "@plant.example");
  EXPECT_EQ(user.at("name"), "New");
  EXPECT_EQ(user.at("lastname"), "Operator");
  EXPECT_EQ(user.at("role").at("name"), "operator");
  EXPECT_EQ(user.at("role").at("level"), 10);

  // users.ts updateUserRole(): POST /users/update_role {target_username, new_role_name}.
  const auto updated =
      http().post("/api/users/update_role",
                  json{{"target_username", newcomer}, {"new_role_name", role_name}}, as_admin);
  EXPECT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json(), json({{"message", "Role updated successfully"}}));

  // users.ts resetPassword(): POST /users/reset_password {target_username, new_password}.
  const auto reset =
      http().post("/api/users/reset_password",
                  json{{"target_username", newcomer}, {"new_password", reset_password}}, as_admin);
  EXPECT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(reset.json(), json({{"message", "Password reset successfully"}}));

  // users.ts changePassword(): POST /users/change_password
  // {target_username, new_password, current_password?}.
  const auto changed = http().post("/api/users/change_password",
                                   json{{"target_username", newcomer},
                                        {"new_password", changed_password},
                                        {"current_password", reset_password}},
                                   as_admin);
  EXPECT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json(), json({{"message", "Password changed successfully"}}));

  // users.ts getAllUsers(): getUsers(1, 10000).
  const json everyone =
      expect_users_page(http().get("/api/users/?page=1&limit=10000", as_admin), 1, 10000);
  const json* listed = find_user(everyone, newcomer);
  ASSERT_NE(listed, nullptr) << everyone;
  EXPECT_EQ(listed->at("role"), role);
  EXPECT_NE(find_user(everyone, admin), nullptr);

  // Logout: POST /users/logout without a body (axios then sends no Content-Type).
  const auto logout = http().post_raw("/api/users/logout", "", {"Content-Type:", as_admin[0]});
  EXPECT_EQ(logout.status, 200) << logout.body;
  EXPECT_EQ(logout.json(), json({{"message", "Logout successful"}}));

  // The old key is dead, with the message the HMI's 401 handling looks for.
  const auto after = http().get("/api/users/?page=1&limit=20", as_admin);
  EXPECT_EQ(after.status, 401) << after.body;
  EXPECT_EQ(after.json(), json({{"message", "Invalid token"}}));

  // The password the HMI set last is the newcomer's password.
  EXPECT_FALSE(login(newcomer, changed_password).empty());
}

}  // namespace
}  // namespace automation::testing
