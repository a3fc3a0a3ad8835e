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

// --- 3. Large page limits --------------------------------------------------------------------

TEST_F(Compat, LargePageLimitsAreServed) {
  create_user(unique_name("paged"), "guest");
  const long long total = visible_user_count();
  ASSERT_GT(total, 0);
  const auto everyone = http().get("/api/users/?page=1&limit=10000", api_key(system_key()));
  ASSERT_EQ(everyone.status, 200) << everyone.body;
  const json body = everyone.json();
  EXPECT_EQ(body.at("data").size(), static_cast<std::size_t>(total));
  EXPECT_EQ(body.at("pagination"),
            json({{"page", 1}, {"limit", 10000}, {"total_records", total}, {"total_pages", 1}}));
  // Offsets and page counts at the edge of 64-bit arithmetic: served, empty, never wrapped.
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  const std::string max = std::to_string(kMax);
  for (const auto& [page, limit] : std::vector<std::pair<std::string, std::string>>{
           {max, max}, {max, "2"}, {"2", max}, {"3037000500", "3037000500"}}) {
    const auto response =
        http().get("/api/users/?page=" + page + "&limit=" + limit, api_key(system_key()));
    ASSERT_EQ(response.status, 200) << page << ", " << limit << ": " << response.body;
    const json paged = response.json();
    EXPECT_TRUE(paged.at("data").empty()) << page << ", " << limit;
    EXPECT_EQ(paged.at("pagination").at("total_records"), total);
    const long long limit_value = std::stoll(limit);
    const long long pages = total / limit_value + (total % limit_value != 0 ? 1 : 0);
    EXPECT_EQ(paged.at("pagination").at("total_pages"), pages) << limit;
  }
  const auto first_of_max = http().get("/api/users/?page=1&limit=" + max, api_key(system_key()));
  ASSERT_EQ(first_of_max.status, 200) << first_of_max.body;
  EXPECT_EQ(first_of_max.json().at("data").size(), static_cast<std::size_t>(total));
  EXPECT_EQ(first_of_max.json().at("pagination").at("total_pages"), 1);
  // Still refused: below 1, not a number, beyond 64 bits.
  for (const char* bad : {"?page=0&limit=10", "?page=1&limit=0", "?page=1&limit=-5",
                          "?page=1&limit=ten", "?page=1&limit=9223372036854775808"}) {
    EXPECT_EQ(http().get(std::string("/api/users/") + bad, api_key(system_key())).status, 400)
        << bad;
  }
}

// --- 4. Role identifiers in user JSON --------------------------------------------------------

TEST_F(Compat, EveryUserJsonCarriesTheRoleIdentifier) {
  const json operator_role = role_named("operator");
  ASSERT_TRUE(operator_role.at("identifier").is_string());
  const std::string name = unique_name("role_id");
  const json created = create_user(name, "operator");
  EXPECT_EQ(created.at("role"), operator_role);
  const auto got = http().get("/api/users/" + name, api_key(system_key()));
  EXPECT_EQ(got.json().at("role"), operator_role);
  const auto me = http().get("/api/users/me", api_key(login(name)));
  EXPECT_EQ(me.json().at("role"), operator_role);
  const auto list = http().get("/api/users/", api_key(system_key()));
  const auto page = http().get("/api/users/?page=1&limit=10000", api_key(system_key()));
  for (const json& user : list.json()) {
    EXPECT_EQ(user.at("role").size(), 3U) << user;
    if (user.at("username") == name) {
      EXPECT_EQ(user.at("role"), operator_role);
    }
  }
  const json page_body = page.json();  // the loop below must not range over a temporary's part
  for (const json& user : page_body.at("data")) {
    EXPECT_EQ(user.at("role").size(), 3U) << user;
    if (user.at("username") == name) {
      EXPECT_EQ(user.at("role"), operator_role);
    }
  }
  const auto system_me = http().get("/api/users/me", api_key(system_key()));
  const json sudo_role = system_me.json().at("role");
  EXPECT_EQ(sudo_role.size(), 3U) << sudo_role;
  EXPECT_FALSE(sudo_role.at("identifier").get<std::string>().empty()) << sudo_role;
}

// --- 5. The failed login body ------------------------------------------------------------------

// Upstream's 403 body for a failed login: AuthRoutes.UnknownUserAndWrongPasswordGetTheSame403.

// --- 6. Form-encoded bodies ----------------------------------------------------------------------

TEST_F(Compat, EveryWriteRouteAcceptsFormBodies) {
  const std::string name = unique_name("form_user");
  // Reserved form characters in the password travel percent-encoded; ' ' as '+'.
  const std::string password = "p@ss w&rd+1=ok%";
  remember_secret(password);
  const auto signup = post_form("/api/users/signup",
                                {{"username", name},
                                 {"email", name + "@plant.example"},
                                 {"password", password},
                                 {"role_name", "operator"},
                                 {"name", "Ana María"}},
                                system_key());
  ASSERT_EQ(signup.status, 200) << signup.body;
  EXPECT_EQ(signup.json().at("name"), "Ana María");
  EXPECT_EQ(signup.json().at("role").at("name"), "operator");
  // The decoded password is the password: JSON login with it works.
  EXPECT_FALSE(login(name, password).empty());

  const auto form_login =
      post_form("/api/users/login", {{"username", name}, {"password", password}}, "",
                "Content-Type: Application/X-WWW-Form-URLencoded; charset=UTF-8");
  ASSERT_EQ(form_login.status, 200) << form_login.body;
  const std::string key = form_login.json().at("apiKey");
  remember_secret(key);

  const auto valid = post_form("/api/users/credentials_are_valid",
                               {{"email", name + "@plant.example"}, {"password", password}}, key);
  EXPECT_EQ(valid.status, 200) << valid.body;
  EXPECT_EQ(valid.body, "true");

  const auto edit =
      http().request("PUT", "/api/users/" + name, form_encode({{"lastname", "O'Neil & Sons"}}),
                     {kFormType, "X-API-KEY: " + key});
  ASSERT_EQ(edit.status, 200) << edit.body;
  EXPECT_EQ(edit.json().at("lastname"), "O'Neil & Sons");

  const std::string new_password = "N3w pass+word";
  remember_secret(new_password);
  const auto change = post_form(
      "/api/users/change_password",
      {{"target_username", name}, {"current_password", password}, {"new_password", new_password}},
      key);
  EXPECT_EQ(change.status, 200) << change.body;
  EXPECT_FALSE(login(name, new_password).empty());

  // Sudo acts on admins only: an admin resets and promotes the operator.
  const std::string admin = unique_name("form_admin");
  create_user(admin, "admin");
  const std::string admin_key = login(admin);
  const auto reset =
      post_form("/api/users/reset_password",
                {{"target_username", name}, {"new_password", kUserPassword}}, admin_key);
  EXPECT_EQ(reset.status, 200) << reset.body;

  const auto role =
      post_form("/api/users/update_role",
                {{"target_username", name}, {"new_role_name", "supervisor"}}, admin_key);
  EXPECT_EQ(role.status, 200) << role.body;
  EXPECT_EQ(http().get("/api/users/" + name, api_key(admin_key)).json().at("role").at("name"),
            "supervisor");

  const std::string role_name = unique_name("form_role");
  const auto added =
      post_form("/api/users/roles/add", {{"name", role_name}, {"level", "42"}}, admin_key);
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(added.json().at("level"), 42);

  const auto tpt =
      post_form("/api/users/create_tpt",
                {{"role_name", "operator"}, {"expires_in", "3600"}, {"description", "form script"}},
                system_key());
  ASSERT_EQ(tpt.status, 200) << tpt.body;
  remember_secret(tpt.json().at("token"));
  EXPECT_TRUE(tpt.json().contains("expires_on"));
}

TEST_F(Compat, FormBodiesAreValidatedLikeJson) {
  const long long before = visible_user_count();
  // Missing fields are each named.
  const auto missing = post_form("/api/users/signup", {{"username", unique_name("f")}}, "");
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_TRUE(missing.json().at("errors").contains("email")) << missing.body;
  EXPECT_TRUE(missing.json().at("errors").contains("password")) << missing.body;
  // Numbers are parsed strictly: the whole value must be a decimal integer.
  for (const char* level :
       {"abc", "5x", " 5", "5 ", "+5", "0x10", "4.0", "", "99999999999999999999"}) {
    const auto response = post_form(
        "/api/users/roles/add", {{"name", unique_name("strict")}, {"level", level}}, system_key());
    EXPECT_EQ(response.status, 400) << '"' << level << "\": " << response.body;
    EXPECT_TRUE(response.json().at("errors").contains("level")) << level << ": " << response.body;
  }
  const auto expires = post_form("/api/users/create_tpt",
                                 {{"role_name", "operator"}, {"expires_in", "1h"}}, system_key());
  EXPECT_EQ(expires.status, 400) << expires.body;
  EXPECT_TRUE(expires.json().at("errors").contains("expires_in")) << expires.body;
  // A malformed body is a 400 that says what is wrong with it.
  const auto bad_escape =
      http().post_raw("/api/users/signup", "username=a%zzb&email=x", {kFormType});
  EXPECT_EQ(bad_escape.status, 400) << bad_escape.body;
  const std::string message = bad_escape.json().at("message");
  EXPECT_NE(message.find("form"), std::string::npos) << message;
  EXPECT_NE(message.find("username"), std::string::npos) << message;
  // NUL bytes and invalid UTF-8 are refused as in JSON.
  const std::string name = unique_name("f_nul");
  for (const std::string& body :
       {"username=" + name + "&email=" + name + "%40plant.example&password=Us3r-Pass%00w0rd",
        "username=" + name + "&email=" + name + "%40plant.example&password=Us3r-%FF%FEw0rd-long"}) {
    const auto response = http().post_raw("/api/users/signup", body, {kFormType});
    EXPECT_EQ(response.status, 400) << body << ": " << response.body;
  }
  EXPECT_EQ(visible_user_count(), before);
  // JSON bodies still want real JSON integers.
  const auto json_string_level =
      http().post("/api/users/roles/add", json{{"name", unique_name("j")}, {"level", "42"}},
                  api_key(system_key()));
  EXPECT_EQ(json_string_level.status, 400) << json_string_level.body;
}

TEST_F(Compat, FirstOccurrenceOfARepeatedFormFieldWins) {
  const std::string name = unique_name("dup_field");
  const auto signup = http().post_raw("/api/users/signup",
                                      "username=" + name + "&email=" + name +
                                          "%40plant.example&password=" + kUserPassword +
                                          "&role_name=guest&username=someone_else",
                                      {kFormType});
  ASSERT_EQ(signup.status, 200) << signup.body;
  EXPECT_EQ(signup.json().at("username"), name);
}

TEST_F(Compat, BodiesWithoutOrWithOtherContentTypesAreJson) {
  const std::string name = unique_name("no_type");
  const std::string body =
      json{{"username", name}, {"email", name + "@plant.example"}, {"password", kUserPassword}}
          .dump();
  const auto untyped = http().post_raw("/api/users/signup", body, {"Content-Type:"});
  EXPECT_EQ(untyped.status, 200) << untyped.body;
  const auto form_as_json = http().post_raw("/api/users/login", "username=system&password=x",
                                            {"Content-Type: application/json"});
  EXPECT_EQ(form_as_json.status, 400);
  EXPECT_EQ(form_as_json.json(), json({{"message", "Malformed JSON body"}}));
}

// --- 7. current_password, whoever changes the password -----------------------------------------

TEST_F(Compat, AGivenCurrentPasswordMustBeRightEvenForAnAdmin) {
  const std::string target = unique_name("c_target");
  create_user(target, "operator");
  const std::string admin = unique_name("c_admin7");
  create_user(admin, "admin");
  const std::string admin_key = login(admin);
  remember_secret("Brand-New-Passw0rd");
  const auto by_admin = http().post("/api/users/change_password",
                                    json{{"target_username", target},
                                         {"current_password", "not-the-password"},
                                         {"new_password", "Brand-New-Passw0rd"}},
                                    api_key(admin_key));
  EXPECT_EQ(by_admin.status, 400) << by_admin.body;
  EXPECT_EQ(by_admin.json().size(), 1U) << by_admin.body;  // {"message": why}
  EXPECT_FALSE(login(target).empty());                     // unchanged
  const auto right = http().post("/api/users/change_password",
                                 json{{"target_username", target},
                                      {"current_password", kUserPassword},
                                      {"new_password", "Brand-New-Passw0rd"}},
                                 api_key(admin_key));
  EXPECT_EQ(right.status, 200) << right.body;
  const auto absent = http().post(
      "/api/users/change_password",
      json{{"target_username", target}, {"new_password", kUserPassword}}, api_key(admin_key));
  EXPECT_EQ(absent.status, 200) << absent.body;  // not asked of an admin acting on another
}

// --- 8. Login with both username and email -----------------------------------------------------

TEST_F(Compat, LoginWithUsernameAndEmailUsesTheEmail) {
  const std::string first = unique_name("by_name");
  const std::string second = unique_name("by_mail");
  create_user(first, "guest");
  create_user(second, "operator", "Second-Passw0rd-long");
  const auto by_email = http().post("/api/users/login", json{{"username", first},
                                                             {"email", second + "@plant.example"},
                                                             {"password", "Second-Passw0rd-long"}});
  ASSERT_EQ(by_email.status, 200) << by_email.body;
  EXPECT_EQ(by_email.json().at("role"), "operator");
  const std::string key = by_email.json().at("apiKey");
  remember_secret(key);
  EXPECT_EQ(http().get("/api/users/me", api_key(key)).json().at("username"), second);
  const auto username_password = http().post(
      "/api/users/login",
      json{{"username", first}, {"email", second + "@plant.example"}, {"password", kUserPassword}});
  EXPECT_EQ(username_password.status, 403) << username_password.body;
}

}  // namespace
}  // namespace automation::testing
