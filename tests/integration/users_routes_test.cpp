// Users: list (plain and paginated), get, signup, edit, delete; 404 and 405 answers.

#include <cmath>

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

class UsersRoutes : public ApiTest {};

// The role of a user's JSON without its identifier (random per database).
json role_name_and_level(const json& user) {
  json role = user.at("role");
  role.erase("identifier");
  return role;
}

TEST_F(UsersRoutes, MeIsTheCallersUserWithoutSecrets) {
  const auto me = http().get("/api/users/me", api_key(system_key()));
  ASSERT_EQ(me.status, 200) << me.body;
  const json user = me.json();
  expect_user_shape(user);
  EXPECT_EQ(user.at("username"), "system");
  EXPECT_EQ(user.at("email"), "system@localhost");
  EXPECT_EQ(user.at("name"), "System");
  EXPECT_EQ(role_name_and_level(user), json({{"name", "sudo"}, {"level", 0}}));
  EXPECT_GE(user.at("identifier").get<std::string>().size(), 16U);
  expect_no_secrets(me.body, "/me");
}

TEST_F(UsersRoutes, ListLeavesOutSudoUsersAndShowsNoSecrets) {
  const std::string name = unique_name("listed");
  create_user(name, "auditor");
  for (const char* path : {"/api/users/", "/api/users"}) {
    const auto response = http().get(path, api_key(system_key()));
    ASSERT_EQ(response.status, 200) << response.body;
    const json users = response.json();
    ASSERT_TRUE(users.is_array());
    bool found = false;
    for (const auto& user : users) {
      expect_user_shape(user);
      EXPECT_NE(user.at("username"), "system");
      EXPECT_NE(user.at("role").at("level"), 0) << user;
      if (user.at("username") == name) {
        found = true;
        EXPECT_EQ(role_name_and_level(user), json({{"name", "auditor"}, {"level", 100}}));
        EXPECT_TRUE(user.at("name").is_null());
        EXPECT_TRUE(user.at("lastname").is_null());
      }
    }
    EXPECT_TRUE(found) << path;
    expect_no_secrets(response.body, path);
  }
}

TEST_F(UsersRoutes, PaginatedListHasDataAndPagination) {
  for (int i = 0; i < 3; ++i) create_user(unique_name("paged"), "guest");
  const auto all = http().get("/api/users/", api_key(system_key()));
  ASSERT_EQ(all.status, 200);
  const auto total = static_cast<long long>(all.json().size());
  const auto page = http().get("/api/users/?page=1&limit=2", api_key(system_key()));
  ASSERT_EQ(page.status, 200) << page.body;
  const json body = page.json();
  ASSERT_TRUE(body.at("data").is_array());
  EXPECT_EQ(body.at("data").size(), 2U);
  for (const auto& user : body.at("data")) expect_user_shape(user);
  const json& pagination = body.at("pagination");
  EXPECT_EQ(pagination.at("page"), 1);
  EXPECT_EQ(pagination.at("limit"), 2);
  EXPECT_EQ(pagination.at("total_records"), total);
  EXPECT_EQ(pagination.at("total_pages"), (total + 1) / 2);
  const auto last = http().get("/api/users?page=" + std::to_string((total + 1) / 2) + "&limit=2",
                               api_key(system_key()));
  ASSERT_EQ(last.status, 200);
  EXPECT_EQ(last.json().at("data").size(), static_cast<std::size_t>(total % 2 == 0 ? 2 : 1));
  for (const char* bad : {"?page=abc&limit=2", "?page=1&limit=x", "?page=0&limit=2",
                          "?page=1&limit=0", "?page=-1&limit=5", "?page=1.5&limit=5"}) {
    const auto response = http().get(std::string("/api/users/") + bad, api_key(system_key()));
    EXPECT_EQ(response.status, 400) << bad << ": " << response.body;
    EXPECT_TRUE(response.json().contains("message")) << bad;
  }
}

// Whole lists and pages, big or small, are rendered once per listing version and kept: every
// change to a user must show in the very next list, in every form.
TEST_F(UsersRoutes, KeptListsShowEveryChangeAtOnce) {
  const std::string name = unique_name("kept");
  create_user(name, "operator");
  auto find = [&](const std::string& path) {
    const auto response = http().get(path, api_key(system_key()));
    EXPECT_EQ(response.status, 200) << response.body;
    const json body = response.json();
    const json& users = body.is_array() ? body : body.at("data");
    for (const auto& user : users) {
      if (user.at("username") == name) return user;
    }
    return json();
  };
  // The newest user is the last one listed: alone on the last page of one.
  const auto total = http().get("/api/users/?page=1&limit=1", api_key(system_key()));
  ASSERT_EQ(total.status, 200) << total.body;
  const std::string last_of_one =
      "/api/users/?page=" +
      std::to_string(total.json().at("pagination").at("total_records").get<std::int64_t>()) +
      "&limit=1";
  const std::string paths[] = {"/api/users/", "/api/users/?page=1&limit=10000", last_of_one};
  for (const auto& path : paths) {
    for (int i = 0; i < 2; ++i) EXPECT_TRUE(find(path).at("name").is_null()) << path;
  }
  ASSERT_EQ(http().put("/api/users/" + name, json{{"name", "Kept"}}, api_key(system_key())).status,
            200);
  for (const auto& path : paths) EXPECT_EQ(find(path).at("name"), "Kept") << path;
  ASSERT_EQ(http().post("/api/users/update_role",
                        json{{"target_username", name}, {"new_role_name", "guest"}},
                        api_key(system_key()))
                .status,
            200);
  for (const auto& path : paths) EXPECT_EQ(find(path).at("role").at("name"), "guest") << path;
  ASSERT_EQ(http().del("/api/users/" + name, api_key(system_key())).status, 200);
  for (const auto& path : paths) EXPECT_TRUE(find(path).is_null()) << path;
}

TEST_F(UsersRoutes, GetUserByNameAndUnknownIs404) {
  const std::string name = unique_name("get_me");
  create_user(name, "supervisor");
  const std::string key = login(name);
  const auto found = http().get("/api/users/" + name, api_key(key));
  ASSERT_EQ(found.status, 200) << found.body;
  expect_user_shape(found.json());
  EXPECT_EQ(found.json().at("username"), name);
  EXPECT_EQ(found.json().at("email"), name + "@plant.example");
  const auto missing = http().get("/api/users/" + unique_name("ghost"), api_key(key));
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.json().at("message").is_string());
}

TEST_F(UsersRoutes, AnonymousSignupGetsGuestAndCannotChooseARole) {
  const std::string name = unique_name("anon");
  const json request = {{"username", name},
                        {"email", name + "@plant.example"},
                        {"password", kUserPassword},
                        {"name", "Ana"},
                        {"lastname", "Diaz"}};
  const auto created = http().post("/api/users/signup", request);
  ASSERT_EQ(created.status, 200) << created.body;
  const json user = created.json();
  expect_user_shape(user);
  EXPECT_EQ(user.at("username"), name);
  EXPECT_EQ(role_name_and_level(user), json({{"name", "guest"}, {"level", 256}}));
  EXPECT_EQ(user.at("name"), "Ana");
  EXPECT_EQ(user.at("lastname"), "Diaz");
  EXPECT_GE(user.at("identifier").get<std::string>().size(), 16U);

  const std::string other = unique_name("anon_role");
  const auto with_role = http().post("/api/users/signup", json{{"username", other},
                                                               {"email", other + "@plant.example"},
                                                               {"password", kUserPassword},
                                                               {"role_name", "operator"}});
  EXPECT_EQ(with_role.status, 403) << with_role.body;
  const auto bad_key = http().post(
      "/api/users/signup",
      json{{"username", other}, {"email", other + "@plant.example"}, {"password", kUserPassword}},
      api_key("not-a-valid-key"));
  EXPECT_EQ(bad_key.status, 401);
  EXPECT_EQ(bad_key.json(), json({{"message", "Invalid token"}}));
  EXPECT_EQ(http().get("/api/users/" + other, api_key(system_key())).status, 404);
}

TEST_F(UsersRoutes, SignupDuplicatesAre409AndInvalidFields400) {
  const std::string name = unique_name("dup");
  create_user(name, "operator");
  const auto same_name =
      http().post("/api/users/signup", json{{"username", name},
                                            {"email", unique_name("x") + "@plant.example"},
                                            {"password", kUserPassword}});
  EXPECT_EQ(same_name.status, 409) << same_name.body;
  std::string shouted = name;
  std::transform(shouted.begin(), shouted.end(), shouted.begin(), ::toupper);
  const auto same_name_other_case =
      http().post("/api/users/signup", json{{"username", shouted},
                                            {"email", unique_name("y") + "@plant.example"},
                                            {"password", kUserPassword}});
  EXPECT_EQ(same_name_other_case.status, 409) << same_name_other_case.body;
  const auto same_email =
      http().post("/api/users/signup", json{{"username", unique_name("dup_mail")},
                                            {"email", shouted + "@PLANT.example"},
                                            {"password", kUserPassword}});
  EXPECT_EQ(same_email.status, 409) << same_email.body;

  const auto invalid =
      http().post("/api/users/signup",
                  json{{"username", "login"}, {"email", "not-an-email"}, {"password", "short"}});
  EXPECT_EQ(invalid.status, 400) << invalid.body;
  const json errors = invalid.json().at("errors");
  EXPECT_TRUE(errors.contains("username")) << errors;
  EXPECT_TRUE(errors.contains("email")) << errors;
  EXPECT_TRUE(errors.contains("password")) << errors;

  const auto sudo_role = http().post("/api/users/signup",
                                     json{{"username", unique_name("wannabe")},
                                          {"email", unique_name("w") + "@plant.example"},
                                          {"password", kUserPassword},
                                          {"role_name", "sudo"}},
                                     api_key(system_key()));
  EXPECT_EQ(sudo_role.status, 403) << sudo_role.body;
  const auto unknown_role = http().post("/api/users/signup",
                                        json{{"username", unique_name("norole")},
                                             {"email", unique_name("n") + "@plant.example"},
                                             {"password", kUserPassword},
                                             {"role_name", "astronaut"}},
                                        api_key(system_key()));
  EXPECT_EQ(unknown_role.status, 400) << unknown_role.body;
  EXPECT_TRUE(unknown_role.json().at("errors").contains("role_name"));
}

TEST_F(UsersRoutes, AdminKeySignupAssignsRolesAtOrBelowItsLevel) {
  const std::string admin = unique_name("signup_admin");
  create_user(admin, "admin");
  const std::string key = login(admin);
  const std::string op = unique_name("by_admin");
  const auto created = http().post("/api/users/signup",
                                   json{{"username", op},
                                        {"email", op + "@plant.example"},
                                        {"password", kUserPassword},
                                        {"role_name", "operator"}},
                                   api_key(key));
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(created.json().at("role").at("name"), "operator");
  const std::string operator_key = login(op);
  const auto by_operator = http().post("/api/users/signup",
                                       json{{"username", unique_name("by_op")},
                                            {"email", unique_name("o") + "@plant.example"},
                                            {"password", kUserPassword},
                                            {"role_name", "operator"}},
                                       api_key(operator_key));
  EXPECT_EQ(by_operator.status, 403) << by_operator.body;
}

TEST_F(UsersRoutes, EditUserFollowsTheRules) {
  const std::string admin = unique_name("edit_admin");
  const std::string op = unique_name("edit_op");
  const std::string other = unique_name("edit_other");
  create_user(admin, "admin");
  create_user(op, "operator");
  create_user(other, "operator");
  const std::string admin_key = login(admin);
  const std::string op_key = login(op);

  const auto own = http().put("/api/users/" + op, json{{"name", "Olga"}, {"lastname", "Perez"}},
                              api_key(op_key));
  ASSERT_EQ(own.status, 200) << own.body;
  expect_user_shape(own.json());
  EXPECT_EQ(own.json().at("name"), "Olga");
  EXPECT_EQ(own.json().at("lastname"), "Perez");

  const auto by_admin =
      http().put("/api/users/" + op, json{{"email", op + "@new.example"}}, api_key(admin_key));
  ASSERT_EQ(by_admin.status, 200) << by_admin.body;
  EXPECT_EQ(by_admin.json().at("email"), op + "@new.example");
  EXPECT_EQ(by_admin.json().at("name"), "Olga");

  EXPECT_EQ(http().put("/api/users/" + other, json{{"name", "X"}}, api_key(op_key)).status, 403);
  // Sudo users are hidden from admins: a missing user's answer.
  EXPECT_EQ(http().put("/api/users/system", json{{"name", "X"}}, api_key(admin_key)).status, 404);
  const auto bad_email = http().put("/api/users/" + op, json{{"email", "nope"}}, api_key(op_key));
  EXPECT_EQ(bad_email.status, 400);
  EXPECT_TRUE(bad_email.json().at("errors").contains("email")) << bad_email.body;
  const auto taken =
      http().put("/api/users/" + op, json{{"email", other + "@plant.example"}}, api_key(admin_key));
  EXPECT_EQ(taken.status, 409) << taken.body;
  const auto nothing = http().put("/api/users/" + op, json::object(), api_key(op_key));
  EXPECT_EQ(nothing.status, 400) << nothing.body;
  EXPECT_EQ(http()
                .put("/api/users/" + unique_name("ghost"), json{{"name", "X"}}, api_key(admin_key))
                .status,
            404);
}

TEST_F(UsersRoutes, DeleteUserFollowsTheRulesAndEndsTheirSessions) {
  const std::string admin = unique_name("del_admin");
  const std::string op = unique_name("del_op");
  const std::string other = unique_name("del_other");
  create_user(admin, "admin");
  create_user(op, "operator");
  create_user(other, "guest");
  const std::string admin_key = login(admin);
  const std::string op_key = login(op);

  EXPECT_EQ(http().del("/api/users/" + other, api_key(op_key)).status, 403);
  const auto self = http().del("/api/users/" + admin, api_key(admin_key));
  EXPECT_EQ(self.status, 400) << self.body;
  const auto system = http().del("/api/users/system", api_key(admin_key));
  EXPECT_EQ(system.status, 404) << system.body;  // hidden from non-sudo callers
  EXPECT_EQ(http().del("/api/users/" + unique_name("ghost"), api_key(admin_key)).status, 404);

  const auto deleted = http().del("/api/users/" + op, api_key(admin_key));
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.json(), json({{"message", "User " + op + " deleted successfully"}}));
  EXPECT_EQ(http().get("/api/users/" + op, api_key(admin_key)).status, 404);
  EXPECT_EQ(http().get("/api/users/me", api_key(op_key)).status, 401);
}

TEST_F(UsersRoutes, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  struct Case {
    const char* method;
    const char* path;
    const char* allow;  // nullptr: 404
  };
  const Case cases[] = {
      {"GET", "/api/users/login", "POST"},
      {"PUT", "/api/users/login", "POST"},
      {"GET", "/api/users/logout", "POST"},
      {"GET", "/api/users/logout_all", "POST"},
      {"DELETE", "/api/users/me", "GET"},
      {"POST", "/api/users/", "GET"},
      {"DELETE", "/api/users", "GET"},
      {"POST", "/api/users/someone", "GET, PUT, DELETE"},
      {"GET", "/api/users/signup", "POST"},
      {"PUT", "/api/users/signup", "POST"},
      {"GET", "/api/users/credentials_are_valid", "POST"},
      {"GET", "/api/users/change_password", "POST"},
      {"DELETE", "/api/users/reset_password", "POST"},
      {"GET", "/api/users/update_role", "POST"},
      {"GET", "/api/users/create_tpt", "POST"},
      {"POST", "/api/users/tpts", "GET"},
      {"GET", "/api/users/tpts/0123abcd", "DELETE"},
      {"POST", "/api/users/roles/", "GET"},
      {"DELETE", "/api/users/roles", "GET"},
      {"GET", "/api/users/roles/add", "POST"},
      {"POST", "/api/users/audit", "GET"},
      {"POST", "/api/health", "GET"},
      {"PUT", "/api/health/ping", "GET"},
      {"GET", "/api/nothing", nullptr},
      {"GET", "/", nullptr},
      {"GET", "/api/users/someone/extra", nullptr},
      {"POST", "/api/users/roles/add/more", nullptr},
      {"GET", "/API/USERS/ME", nullptr},
      {"GET", "/api/users/%6Cogin", "POST"},  // percent-encoded "login"
      {"GET", "/api/users/%zz", nullptr},
      {"PATCH", "/api/users/me", "GET"},
      {"HEAD", "/api/users/tpts", "GET"},
  };
  for (const auto& c : cases) {
    const auto response = http().request(c.method, c.path, "{}", api_key(system_key()));
    EXPECT_EQ(response.header("Content-Type"), "application/json") << c.method << ' ' << c.path;
    if (std::string_view(c.method) != "HEAD") {
      EXPECT_TRUE(response.json().at("message").is_string());
    }
    if (c.allow == nullptr) {
      EXPECT_EQ(response.status, 404) << c.method << ' ' << c.path << ": " << response.body;
    } else {
      EXPECT_EQ(response.status, 405) << c.method << ' ' << c.path << ": " << response.body;
      EXPECT_EQ(response.header("Allow"), c.allow) << c.method << ' ' << c.path;
    }
  }
}

TEST_F(UsersRoutes, ReservedWordsNeverResolveAsUsernames) {
  // These paths are routes; with GET they are either a route of their own or 405, never a user.
  const auto me = http().get("/api/users/me/", api_key(system_key()));
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(me.json().at("username"), "system");
  const auto roles = http().get("/api/users/roles", api_key(system_key()));
  EXPECT_EQ(roles.status, 200);
  EXPECT_TRUE(roles.json().is_array());
  for (const char* word : {"login", "logout", "signup", "change_password", "reset_password",
                           "update_role", "create_tpt", "credentials_are_valid"}) {
    const auto response = http().get(std::string("/api/users/") + word, api_key(system_key()));
    EXPECT_EQ(response.status, 405) << word << ": " << response.body;
    EXPECT_EQ(http().del(std::string("/api/users/") + word, api_key(system_key())).status, 405)
        << word;
  }
}

}  // namespace
}  // namespace automation::testing
