// Drop-in compatibility, round 2 (issue 20): upstream PyAutomation's exact words where its HMI
// shows them (password and role rules, pages, reqparse validation failures), and the role
// list in creation order. Each test asserts the whole body a client gets.

#include <string>

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

// flask-restx's reason for a required reqparse argument that is absent, after the argument's
// help text.
std::string missing(const std::string& help) {
  return help + " Missing required parameter in the JSON body or the post body or the query string";
}

json validation_failed(const json& errors) {
  return {{"message", "Input payload validation failed"}, {"errors", errors}};
}

constexpr const char* kNewPassword = "Another-Passw0rd-long";
constexpr const char* kWrongPassword = "Not-The-Passw0rd";

class Compat2 : public ApiTest {
 protected:
  void SetUp() override {
    // Passwords sent here must stay out of the server's log like any other.
    remember_secret(kNewPassword);
    remember_secret(kWrongPassword);
  }

  // A new user of `role` and its key.
  std::string user_key(const std::string& prefix, const std::string& role, std::string* name) {
    *name = unique_name(prefix);
    create_user(*name, role);
    return login(*name);
  }

  HttpResponse post(const std::string& path, const json& body, const std::string& key) {
    return http().post(path, body, api_key(key));
  }
};

// --- Message texts -----------------------------------------------------------------------------

TEST_F(Compat2, SudoChangingOrResettingANonAdminsPasswordGetsUpstreamsWords) {
  const std::string target = unique_name("c2_op");
  create_user(target, "operator");
  const json body = {{"target_username", target}, {"new_password", kNewPassword}};
  const auto change = post("/api/users/change_password", body, system_key());
  EXPECT_EQ(change.status, 400) << change.body;
  EXPECT_EQ(change.json(),
            json({{"message", "Sudo users can only change passwords of admin users"}}));
  const auto reset = post("/api/users/reset_password", body, system_key());
  EXPECT_EQ(reset.status, 400) << reset.body;
  EXPECT_EQ(reset.json(),
            json({{"message", "Sudo users can only reset passwords of admin users"}}));
}

TEST_F(Compat2, SudoChangingOrResettingItsOwnPasswordGetsUpstreamsWords) {
  const json body = {{"target_username", "system"},
                     {"new_password", kNewPassword},
                     {"current_password", kWrongPassword}};
  const auto change = post("/api/users/change_password", body, system_key());
  EXPECT_EQ(change.status, 400) << change.body;
  EXPECT_EQ(change.json(), json({{"message", "Sudo users cannot change their own password"}}));
  const auto reset = post("/api/users/reset_password", body, system_key());
  EXPECT_EQ(reset.status, 400) << reset.body;
  EXPECT_EQ(reset.json(), json({{"message", "Sudo users cannot reset their own password"}}));
}

TEST_F(Compat2, OperatorChangingOrResettingAnothersPasswordGetsUpstreamsWords) {
  std::string name;
  const std::string key = user_key("c2_op", "operator", &name);
  const std::string other = unique_name("c2_other");
  create_user(other, "guest");
  const json body = {{"target_username", other}, {"new_password", kNewPassword}};
  const auto change = post("/api/users/change_password", body, key);
  EXPECT_EQ(change.status, 400) << change.body;
  EXPECT_EQ(change.json(), json({{"message", "You can only change your own password"}}));
  const auto reset = post("/api/users/reset_password", body, key);
  EXPECT_EQ(reset.status, 400) << reset.body;
  EXPECT_EQ(reset.json(), json({{"message", "You can only reset your own password"}}));
}

TEST_F(Compat2, WrongCurrentPasswordIsIncorrectInUpstreamsWords) {
  std::string name;
  const std::string key = user_key("c2_wrong", "operator", &name);
  const auto change = post("/api/users/change_password",
                           {{"target_username", name},
                            {"new_password", kNewPassword},
                            {"current_password", kWrongPassword}},
                           key);
  EXPECT_EQ(change.status, 400) << change.body;
  EXPECT_EQ(change.json(), json({{"message", "Current password is incorrect"}}));
  EXPECT_FALSE(login(name).empty()) << "the password is unchanged";
}

TEST_F(Compat2, OwnChangeWithoutCurrentPasswordIsRequiredInUpstreamsWords) {
  std::string name;
  const std::string key = user_key("c2_own", "operator", &name);
  const auto change = post("/api/users/change_password",
                           {{"target_username", name}, {"new_password", kNewPassword}}, key);
  EXPECT_EQ(change.status, 400) << change.body;
  EXPECT_EQ(
      change.json(),
      json({{"message", "Current password is required when changing your own password"},
            {"errors", {{"current_password", "is required when changing your own password"}}}}));
}

TEST_F(Compat2, UpdateRoleToAnUnknownRoleIsRoleNotFound) {
  const std::string target = unique_name("c2_target");
  create_user(target, "operator");
  const auto update =
      post("/api/users/update_role", {{"target_username", target}, {"new_role_name", "nosuchrole"}},
           system_key());
  EXPECT_EQ(update.status, 400) << update.body;
  EXPECT_EQ(update.json(), json({{"message", "Role nosuchrole not found"},
                                 {"errors", {{"new_role_name", "unknown role"}}}}));
}

TEST_F(Compat2, UpdateRoleByAnOperatorIsOnlyAdminAndSudo) {
  std::string name;
  const std::string key = user_key("c2_op", "operator", &name);
  const std::string target = unique_name("c2_target");
  create_user(target, "guest");
  const auto update = post("/api/users/update_role",
                           {{"target_username", target}, {"new_role_name", "operator"}}, key);
  EXPECT_EQ(update.status, 403) << update.body;
  EXPECT_EQ(update.json(), json({{"message", "Only admin and sudo users can update user roles"}}));
}

TEST_F(Compat2, PageAndLimitBelowOneGetUpstreamsWords) {
  const Headers key = api_key(system_key());
  const auto page = http().get("/api/users/?page=0&limit=10", key);
  EXPECT_EQ(page.status, 400) << page.body;
  EXPECT_EQ(page.json(), json({{"message", "Page number must be greater than 0"},
                               {"errors", {{"page", "must be greater than 0"}}}}));
  const auto limit = http().get("/api/users/?page=1&limit=0", key);
  EXPECT_EQ(limit.status, 400) << limit.body;
  EXPECT_EQ(limit.json(), json({{"message", "Limit must be greater than 0"},
                                {"errors", {{"limit", "must be greater than 0"}}}}));
  // Upstream checks the page first.
  const auto both = http().get("/api/users/?page=-1&limit=0", key);
  EXPECT_EQ(both.status, 400) << both.body;
  EXPECT_EQ(both.json().at("message"), "Page number must be greater than 0") << both.body;
  // Not a number: reqparse's answer, with each parameter's help text.
  const auto text = http().get("/api/users/?page=first&limit=ten", key);
  EXPECT_EQ(text.status, 400) << text.body;
  EXPECT_EQ(text.json(), validation_failed({{"page", "Page number must be an integer"},
                                            {"limit", "Items per page must be an integer"}}));
}

// --- Validation bodies: missing fields, with upstream's help texts -----------------------------

TEST_F(Compat2, LoginAndCredentialsCheckWithoutPasswordAreInputPayloadValidationFailed) {
  const json expected = validation_failed({{"password", missing("User password")}});
  const auto login = http().post("/api/users/login", json{{"username", "system"}});
  EXPECT_EQ(login.status, 400) << login.body;
  EXPECT_EQ(login.json(), expected);
  const auto check =
      post("/api/users/credentials_are_valid", {{"email", "a@b.example"}}, system_key());
  EXPECT_EQ(check.status, 400) << check.body;
  EXPECT_EQ(check.json(), expected);
}

TEST_F(Compat2, SignupWithoutFieldsNamesEachWithItsHelpText) {
  const auto signup = http().post("/api/users/signup", json{{"name", "Ana"}});
  EXPECT_EQ(signup.status, 400) << signup.body;
  EXPECT_EQ(signup.json(), validation_failed({{"username", missing("Username")},
                                              {"email", missing("Email address")},
                                              {"password", missing("Password")}}));
}

TEST_F(Compat2, ChangeAndResetPasswordWithoutFieldsNameEachWithItsHelpText) {
  const auto change = post("/api/users/change_password", json::object(), system_key());
  EXPECT_EQ(change.status, 400) << change.body;
  EXPECT_EQ(
      change.json(),
      validation_failed({{"target_username", missing("Username whose password will be changed")},
                         {"new_password", missing("New password")}}));
  const auto reset =
      post("/api/users/reset_password", {{"target_username", "system"}}, system_key());
  EXPECT_EQ(reset.status, 400) << reset.body;
  EXPECT_EQ(reset.json(), validation_failed({{"new_password", missing("New password")}}));
  const auto reset_target =
      post("/api/users/reset_password", {{"new_password", kNewPassword}}, system_key());
  EXPECT_EQ(reset_target.status, 400) << reset_target.body;
  EXPECT_EQ(
      reset_target.json(),
      validation_failed({{"target_username", missing("Username whose password will be reset")}}));
}

TEST_F(Compat2, UpdateRoleWithoutFieldsNamesEachWithItsHelpText) {
  const auto update = post("/api/users/update_role", json::object(), system_key());
  EXPECT_EQ(update.status, 400) << update.body;
  EXPECT_EQ(update.json(),
            validation_failed({{"target_username", missing("Username whose role will be updated")},
                               {"new_role_name", missing("New role name to assign")}}));
}

TEST_F(Compat2, AddRoleWithoutFieldsNamesEachWithItsHelpText) {
  const auto added = post("/api/users/roles/add", json::object(), system_key());
  EXPECT_EQ(added.status, 400) << added.body;
  EXPECT_EQ(added.json(), validation_failed({{"name", missing("Role name")},
                                             {"level", missing("Role level, 0 maximum level")}}));
}

TEST_F(Compat2, CreateTptWithoutRoleNameNamesItWithItsHelpText) {
  const auto created = post("/api/users/create_tpt", {{"description", "script"}}, system_key());
  EXPECT_EQ(created.status, 400) << created.body;
  EXPECT_EQ(created.json(),
            validation_failed({{"role_name", missing("Role name to embed in the JWT token")}}));
}

TEST_F(Compat2, FormBodiesGetTheSameValidationBody) {
  const auto signup = http().post_raw("/api/users/signup", "username=ana",
                                      {"Content-Type: application/x-www-form-urlencoded"});
  EXPECT_EQ(signup.status, 400) << signup.body;
  EXPECT_EQ(signup.json(), validation_failed({{"email", missing("Email address")},
                                              {"password", missing("Password")}}));
}

// --- Validation bodies: mistyped fields --------------------------------------------------------
// flask-restx words these "<help> <the converter's error>". Upstream's converters turn any value
// into a string, so only this service refuses a number for a string (SPEC §3); the reason after
// the help text is its own.

TEST_F(Compat2, MistypedFieldsAreNamedWithTheirHelpText) {
  const auto login = http().post("/api/users/login", json{{"username", 5}, {"password", {"x"}}});
  EXPECT_EQ(login.status, 400) << login.body;
  EXPECT_EQ(login.json(), validation_failed({{"username", "Username must be a string"},
                                             {"password", "User password must be a string"}}));
  const std::string name = unique_name("c2_typed");
  const auto signup = http().post("/api/users/signup", json{{"username", name},
                                                            {"email", name + "@plant.example"},
                                                            {"password", kUserPassword},
                                                            {"name", 7},
                                                            {"lastname", true}});
  EXPECT_EQ(signup.status, 400) << signup.body;
  EXPECT_EQ(signup.json(), validation_failed({{"name", "User's name must be a string"},
                                              {"lastname", "User's lastname must be a string"}}));
  EXPECT_EQ(http().get("/api/users/" + name, api_key(system_key())).status, 404);
  const auto level =
      post("/api/users/roles/add", {{"name", unique_name("c2")}, {"level", "5"}}, system_key());
  EXPECT_EQ(level.status, 400) << level.body;
  EXPECT_EQ(level.json(),
            validation_failed({{"level", "Role level, 0 maximum level must be an integer"}}));
  // A field upstream does not have: the reason stands alone, as flask-restx's does without help.
  const auto expiry = post("/api/users/create_tpt",
                           {{"role_name", "operator"}, {"expires_in", "soon"}}, system_key());
  EXPECT_EQ(expiry.status, 400) << expiry.body;
  EXPECT_EQ(expiry.json(), validation_failed({{"expires_in", "must be an integer"}}));
}

// --- Order --------------------------------------------------------------------------------------

TEST_F(Compat2, RolesAreListedInCreationOrder) {
  const Headers key = api_key(system_key());
  // Created after the defaults, one below them all in privilege and one above most.
  const std::string last = unique_name("c2_last");
  const std::string first = unique_name("c2_first");
  for (const auto& [name, level] : {std::pair{last, 300}, std::pair{first, 3}}) {
    const auto added =
        http().post("/api/users/roles/add", json{{"name", name}, {"level", level}}, key);
    ASSERT_EQ(added.status, 200) << added.body;
  }
  const auto roles = http().get("/api/users/roles/", key);
  ASSERT_EQ(roles.status, 200) << roles.body;
  std::vector<std::string> names;
  for (const auto& role : roles.json()) names.push_back(role.at("name"));
  ASSERT_GE(names.size(), 7u) << roles.body;
  // The defaults in the order they were seeded; roles other tests of this server added may
  // follow them; this test's two come last, in the order they were added.
  const std::vector<std::string> seeded(names.begin(), names.begin() + 5);
  EXPECT_EQ(seeded,
            (std::vector<std::string>{"admin", "supervisor", "operator", "auditor", "guest"}));
  const std::vector<std::string> added(names.end() - 2, names.end());
  EXPECT_EQ(added, (std::vector<std::string>{last, first}));
}

}  // namespace
}  // namespace automation::testing
