// Regression tests of the security review (issue 13), each on the real binary: sudo accounts
// are managed with the CLI only and `system` is repaired at start, refusals are audited,
// password guessing is throttled exactly (current passwords included, per address with an
// account-wide ceiling), hidden sudo users look missing, bidi controls are refused, and a
// queued password job re-checks its key.

#include <signal.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

json password_body(const std::string& target, const std::string& new_password,
                   const std::string& current = {}) {
  json body{{"target_username", target}, {"new_password", new_password}};
  if (!current.empty()) body["current_password"] = current;
  return body;
}

// The audit trail as the system user reads it, newest first.
json audit_trail(HttpClient& http, const std::string& system_key, int limit = 200) {
  const auto events =
      http.get("/api/users/audit?limit=" + std::to_string(limit), api_key(system_key));
  EXPECT_EQ(events.status, 200) << events.body;
  return events.status == 200 ? events.json() : json::array();
}

// The newest event of `event` on `target`, or null.
json find_event(const json& trail, const std::string& event, const std::string& target) {
  for (const auto& entry : trail) {
    if (entry.at("event") == event && entry.at("target") == target) return entry;
  }
  return nullptr;
}

class SecurityReview : public ApiTest {
 protected:
  // A sudo user made the only way there is: with the command-line tool.
  std::string create_sudo_user_with_cli() {
    const std::string name = unique_name("root");
    std::string output;
    const int code = server().run_cli({"user", "create", "--username", name, "--email",
                                       name + "@plant.example", "--role", "sudo", "--password",
                                       kUserPassword},
                                      &output);
    EXPECT_EQ(code, 0) << output;
    return name;
  }
};

// Review #1: no HTTP caller, sudo included, changes the role of, deletes or edits a sudo user.
TEST_F(SecurityReview, SudoAccountsCannotBeChangedOverHttp) {
  const std::string root = create_sudo_user_with_cli();
  const std::string root_key = login(root);
  ASSERT_FALSE(root_key.empty());

  const auto demote = http().post(
      "/api/users/update_role", json{{"target_username", root}, {"new_role_name", "admin"}},
      api_key(system_key()));
  EXPECT_EQ(demote.status, 400) << demote.body;
  const auto demote_system = http().post(
      "/api/users/update_role", json{{"target_username", "system"}, {"new_role_name", "admin"}},
      api_key(root_key));
  EXPECT_EQ(demote_system.status, 400) << demote_system.body;
  EXPECT_EQ(http().del("/api/users/" + root, api_key(system_key())).status, 403);
  EXPECT_EQ(http()
                .put("/api/users/" + root, json{{"email", root + "@elsewhere.example"}},
                     api_key(system_key()))
                .status,
            403);
  EXPECT_EQ(http()
                .post("/api/users/reset_password", password_body(root, "Another-Passw0rd"),
                      api_key(system_key()))
                .status,
            400);
  // A sudo user still edits its own profile.
  const auto own = http().put("/api/users/" + root, json{{"name", "Root"}}, api_key(root_key));
  EXPECT_EQ(own.status, 200) << own.body;

  // Nothing changed: both are still sudo and the key still works.
  for (const std::string& name : {root, std::string("system")}) {
    const auto user = http().get("/api/users/" + name, api_key(system_key()));
    ASSERT_EQ(user.status, 200) << user.body;
    EXPECT_EQ(user.json().at("role").at("name"), "sudo") << name;
    EXPECT_EQ(user.json().at("email"), name == "system" ? "system@localhost"
                                                        : root + "@plant.example");
  }

  // The local administrator can always repair, with any role.
  std::string output;
  EXPECT_EQ(server().run_cli({"user", "set-role", "--username", root, "--role", "admin"}, &output),
            0)
      << output;
  EXPECT_EQ(http().get("/api/users/" + root, api_key(system_key())).json().at("role").at("name"),
            "admin");
  EXPECT_EQ(server().run_cli({"user", "set-role", "--username", root, "--role", "sudo"}, &output),
            0)
      << output;
  EXPECT_EQ(http().get("/api/users/" + root, api_key(system_key())).json().at("role").at("name"),
            "sudo");
  EXPECT_EQ(server().run_cli({"user", "set-role", "--username", root, "--role", "astronaut"},
                             &output),
            1);
}

// Review #1: every start gives `system` the sudo role back, and audits the repair.
TEST(SystemUser, EveryStartRepromotesSystemAndAuditsIt) {
  ServerProcess server;
  server.start();
  std::string output;
  ASSERT_EQ(server.run_cli({"user", "set-role", "--username", "system", "--role", "guest"},
                           &output),
            0)
      << output;
  ASSERT_EQ(server.stop(), 0);
  server.start();
  HttpClient http(server.base_url());
  const auto login = http.post("/api/users/login",
                               json{{"username", "system"}, {"password", kSystemPassword}});
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.json().at("role"), "sudo");
  const std::string key = login.json().at("apiKey");
  remember_secret(key);
  const json repaired = find_event(audit_trail(http, key), "system_role_repaired", "system -> sudo");
  ASSERT_FALSE(repaired.is_null());
  EXPECT_EQ(repaired.at("outcome"), "success");
  EXPECT_NE(server.log().find("lost the sudo role"), std::string::npos) << server.log();
  EXPECT_EQ(server.stop(), 0);
}

// Review #2: every refusal of a security operation is audited as denied, with the reason.
TEST_F(SecurityReview, RefusalsAreAuditedAsDenied) {
  const std::string admin = unique_name("deny_admin");
  const std::string op = unique_name("deny_op");
  const std::string other = unique_name("deny_other");
  create_user(admin, "admin");
  create_user(op, "operator");
  create_user(other, "guest");
  const std::string admin_key = login(admin);
  const std::string op_key = login(op);
  const std::string anonymous_name = unique_name("deny_anon");
  const std::string sudo_name = unique_name("deny_sudo");

  EXPECT_EQ(http()
                .post("/api/users/reset_password", password_body("system", "Attack-Passw0rd"),
                      api_key(admin_key))
                .status / 100,
            4);
  EXPECT_EQ(http()
                .post("/api/users/change_password", password_body(other, "Attack-Passw0rd"),
                      api_key(op_key))
                .status,
            400);
  EXPECT_EQ(http()
                .post("/api/users/signup", json{{"username", anonymous_name},
                                                {"email", anonymous_name + "@plant.example"},
                                                {"password", kUserPassword},
                                                {"role_name", "admin"}})
                .status,
            403);
  EXPECT_EQ(http()
                .post("/api/users/signup",
                      json{{"username", sudo_name},
                           {"email", sudo_name + "@plant.example"},
                           {"password", kUserPassword},
                           {"role_name", "sudo"}},
                      api_key(admin_key))
                .status,
            403);
  EXPECT_EQ(http().del("/api/users/" + other, api_key(op_key)).status, 403);

  const json trail = audit_trail(http(), system_key());
  struct Expected {
    const char* event;
    std::string target;
    std::string actor;
  };
  for (const Expected& expected :
       {Expected{"password_reset", "system", admin}, Expected{"password_change", other, op},
        Expected{"signup", anonymous_name + " as admin", ""},
        Expected{"signup", sudo_name + " as sudo", admin}, Expected{"user_delete", other, op}}) {
    SCOPED_TRACE(std::string(expected.event) + " " + expected.target);
    const json event = find_event(trail, expected.event, expected.target);
    ASSERT_FALSE(event.is_null()) << trail.dump(1);
    EXPECT_EQ(event.at("outcome"), "denied");
    EXPECT_EQ(event.at("actor"), expected.actor);
    EXPECT_FALSE(event.at("reason").get<std::string>().empty());
    expect_no_secrets(event.dump(), "audit event");
  }
}

// A server of its own: throttling counts are per database and must start from zero.
class ThrottledServer : public ::testing::Test {
 protected:
  void start(std::map<std::string, std::string> env) {
    server_ = std::make_unique<ServerProcess>(std::move(env));
    server_->start();
    http_ = std::make_unique<HttpClient>(server_->base_url());
    const auto login = http_->post("/api/users/login",
                                   json{{"username", "system"}, {"password", kSystemPassword}});
    ASSERT_EQ(login.status, 200) << login.body;
    system_key_ = login.json().at("apiKey");
    remember_secret(system_key_);
  }
  void TearDown() override {
    if (server_ && server_->running()) {
      EXPECT_EQ(server_->stop(), 0);
    }
  }
  void create_user(const std::string& name, const std::string& role = "operator") {
    const auto created = http_->post("/api/users/signup",
                                     json{{"username", name},
                                          {"email", name + "@plant.example"},
                                          {"password", kUserPassword},
                                          {"role_name", role}},
                                     api_key(system_key_));
    ASSERT_EQ(created.status, 200) << created.body;
  }
  HttpResponse login(const std::string& name, const std::string& password,
                     const Headers& headers = {}) {
    return http_->post("/api/users/login", json{{"username", name}, {"password", password}},
                       headers);
  }

  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> http_;
  std::string system_key_;
};

// Review #3: a stolen session key cannot guess its account's password through change_password.
TEST_F(ThrottledServer, WrongCurrentPasswordsCountAsFailedLogins) {
  start({});
  create_user("guessed");
  const auto session = login("guessed", kUserPassword);
  ASSERT_EQ(session.status, 200);
  const std::string key = session.json().at("apiKey");
  remember_secret(key);
  for (int i = 0; i < 5; ++i) {
    const auto wrong = http_->post("/api/users/change_password",
                                   password_body("guessed", "New-Passw0rd-1", "guess-" +
                                                                               std::to_string(i)),
                                   api_key(key));
    EXPECT_EQ(wrong.status, 400) << wrong.body;
  }
  const auto throttled = http_->post(
      "/api/users/change_password", password_body("guessed", "New-Passw0rd-1", kUserPassword),
      api_key(key));
  EXPECT_EQ(throttled.status, 429) << throttled.body;
  EXPECT_FALSE(throttled.header("Retry-After").empty());
  EXPECT_EQ(login("guessed", kUserPassword).status, 429);  // the same window as logins
}

// Review #4: the limit holds exactly however many attempts race.
TEST_F(ThrottledServer, RacingLoginsNeverExceedTheLimit) {
  start({{"AUTOMATION_LOGIN_ADDRESS_MAX_FAILURES", "0"}});
  create_user("raced");
  const PendingRequest wrong{"POST", "/api/users/login",
                             json{{"username", "raced"}, {"password", "wrong-password-x"}}.dump(),
                             {}};
  const auto responses = request_concurrently(server_->base_url(),
                                              std::vector<PendingRequest>(40, wrong));
  int checked = 0;
  int throttled = 0;
  for (const auto& response : responses) {
    if (response.status == 403) ++checked;
    if (response.status == 429) ++throttled;
  }
  EXPECT_EQ(checked, 5);  // password checks run: exactly the limit
  EXPECT_EQ(checked + throttled, 40);
  EXPECT_EQ(login("raced", kUserPassword).status, 429);
}

// Review #5: failures lock an account per client address, with a higher ceiling across
// addresses; behind a trusted proxy the client address comes from X-Forwarded-For.
TEST_F(ThrottledServer, LockoutIsPerAddressWithAnAccountWideCeiling) {
  start({{"AUTOMATION_TRUSTED_PROXIES", "127.0.0.1"},
         {"AUTOMATION_LOGIN_ACCOUNT_MAX_FAILURES", "8"}});
  const auto from = [](const std::string& address) {
    return Headers{"X-Forwarded-For: " + address};
  };
  for (int i = 0; i < 5; ++i) EXPECT_EQ(login("system", "wrong-pw-1", from("192.0.2.1")).status, 403);
  EXPECT_EQ(login("system", kSystemPassword, from("192.0.2.1")).status, 429);
  // Another client is not locked out by the first one's failures.
  EXPECT_EQ(login("system", kSystemPassword, from("192.0.2.2")).status, 200);
  // Failures spread over addresses still meet the account-wide ceiling (5 + 3 = 8).
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login("system", "wrong-pw-2", from("192.0.2.3")).status, 403);
  EXPECT_EQ(login("system", kSystemPassword, from("192.0.2.4")).status, 429);
  // The audit trail names the forwarded client.
  const json trail = audit_trail(*http_, system_key_);
  ASSERT_FALSE(trail.empty());
  EXPECT_EQ(trail.front().at("address"), "192.0.2.4");
}

TEST_F(ThrottledServer, ForwardedForIsIgnoredUnlessThePeerIsTrusted) {
  start({});
  for (int i = 0; i < 5; ++i) {
    const std::string address = "192.0.2." + std::to_string(10 + i);
    EXPECT_EQ(login("system", "wrong-pw-3", {"X-Forwarded-For: " + address}).status, 403);
  }
  // Every failure counted for the real peer, whatever the header said.
  EXPECT_EQ(login("system", kSystemPassword, {"X-Forwarded-For: 192.0.2.99"}).status, 429);
}

// Review #6: to a non-sudo caller, a sudo user answers exactly as a missing user, everywhere.
TEST_F(SecurityReview, HiddenSudoUsersLookExactlyLikeMissingOnes) {
  const std::string admin = unique_name("hide_admin");
  const std::string op = unique_name("hide_op");
  create_user(admin, "admin");
  create_user(op, "operator");
  const std::string root = create_sudo_user_with_cli();
  for (const std::string& key : {login(admin), login(op)}) {
    const std::string ghost = unique_name("ghost");
    const auto same_answer = [&](const std::function<HttpResponse(const std::string&)>& call,
                                 const char* what) {
      const auto hidden = call(root);
      const auto missing = call(ghost);
      EXPECT_EQ(hidden.status, missing.status) << what << ": " << hidden.body;
      std::string normalized = hidden.body;
      if (const auto at = normalized.find(root); at != std::string::npos) {
        normalized.replace(at, root.size(), ghost);
      }
      EXPECT_EQ(normalized, missing.body) << what;
    };
    same_answer([&](const std::string& name) { return http().get("/api/users/" + name, api_key(key)); },
                "GET");
    same_answer(
        [&](const std::string& name) {
          return http().put("/api/users/" + name, json{{"name", "X"}}, api_key(key));
        },
        "PUT");
    same_answer([&](const std::string& name) { return http().del("/api/users/" + name, api_key(key)); },
                "DELETE");
    same_answer(
        [&](const std::string& name) {
          return http().post("/api/users/change_password", password_body(name, "Xx-Passw0rd-9"),
                             api_key(key));
        },
        "change_password");
    same_answer(
        [&](const std::string& name) {
          return http().post("/api/users/reset_password", password_body(name, "Xx-Passw0rd-9"),
                             api_key(key));
        },
        "reset_password");
    same_answer(
        [&](const std::string& name) {
          return http().post("/api/users/update_role",
                             json{{"target_username", name}, {"new_role_name", "guest"}},
                             api_key(key));
        },
        "update_role");
  }
}

// Review #7: a page number whose offset overflows is a page past the end, not page 1.
TEST_F(SecurityReview, HugePageNumbersArePastTheEnd) {
  create_user(unique_name("paged"), "guest");
  const auto page = http().get("/api/users/?page=4611686018427387905&limit=2",
                               api_key(system_key()));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(page.json().at("data").empty()) << page.body;
  EXPECT_EQ(page.json().at("pagination").at("page"), 4611686018427387905LL);
  EXPECT_GT(page.json().at("pagination").at("total_records").get<long long>(), 0);
  const auto last = http().get("/api/users/?page=9223372036854775807&limit=9223372036854775807",
                               api_key(system_key()));
  ASSERT_EQ(last.status, 200) << last.body;
  EXPECT_TRUE(last.json().at("data").empty());
}

// Review #9: bidirectional formatting characters cannot disguise a name.
TEST_F(SecurityReview, BidiControlsAreRefusedInNames) {
  const std::string name = unique_name("bidi");
  const auto signup = http().post("/api/users/signup",
                                  json{{"username", name},
                                       {"email", name + "@plant.example"},
                                       {"password", kUserPassword},
                                       {"name", "Ana\u202Egnp.exe"}},
                                  api_key(system_key()));
  EXPECT_EQ(signup.status, 400) << signup.body;
  EXPECT_TRUE(signup.json().at("errors").contains("name")) << signup.body;
  create_user(name, "guest");
  for (const char* text : {"Perez\u2066", "\u200Fx", "a\u0085b"}) {
    const auto edit =
        http().put("/api/users/" + name, json{{"lastname", text}}, api_key(system_key()));
    EXPECT_EQ(edit.status, 400) << edit.body;
  }
  EXPECT_EQ(http().get("/api/users/" + name, api_key(system_key())).json().at("lastname"),
            nullptr);
}

// Review #9: a password job queued before a logout runs with the key as it is when the job
// starts, not as it was when it was queued.
TEST(QueuedPasswordJobs, RecheckTheKeyWhenTheyStart) {
  // One hashing thread and a slow hash, so jobs wait in the queue.
  ServerProcess server({{"AUTOMATION_THREADS", "1"},
                        {"AUTOMATION_ARGON2_MEMORY_KIB", "19456"},
                        {"AUTOMATION_ARGON2_ITERATIONS", "24"}});
  server.start();
  HttpClient http(server.base_url());
  const auto system = http.post("/api/users/login",
                                json{{"username", "system"}, {"password", kSystemPassword}});
  ASSERT_EQ(system.status, 200);
  const std::string system_key = system.json().at("apiKey");
  remember_secret(system_key);
  ASSERT_EQ(http.post("/api/users/signup",
                      json{{"username", "queued"},
                           {"email", "queued@plant.example"},
                           {"password", kUserPassword}},
                      api_key(system_key))
                .status,
            200);
  const auto session = http.post("/api/users/login",
                                 json{{"username", "queued"}, {"password", kUserPassword}});
  ASSERT_EQ(session.status, 200);
  const std::string key = session.json().at("apiKey");
  remember_secret(key);

  // Keep the hashing thread busy with slow sign-ups (one KDF each), then queue the change.
  // The sign-ups are made with a key: work for accounts, queued with the change in arrival
  // order (anonymous ones would queue apart, behind it).
  std::vector<PendingRequest> requests;
  for (int i = 0; i < 3; ++i) {
    const std::string name = "busy" + std::to_string(i);
    requests.push_back({"POST", "/api/users/signup",
                        json{{"username", name},
                             {"email", name + "@plant.example"},
                             {"password", kUserPassword}}
                            .dump(),
                        {"Content-Type: application/json", "X-API-KEY: " + system_key}});
  }
  requests.push_back({"POST", "/api/users/change_password",
                      password_body("queued", "Changed-Passw0rd-1", kUserPassword).dump(),
                      {"Content-Type: application/json", "X-API-KEY: " + key}});
  auto queued = std::async(std::launch::async, [&] {
    return request_concurrently(server.base_url(), requests);
  });
  // Once the first sign-up is done, every request sent with it is queued, and the change
  // still waits behind two slow sign-ups: the logout (an I/O-thread route) comes first.
  HttpClient logout_client(server.base_url());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (logout_client.get("/api/users/busy0", api_key(system_key)).status != 200 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // poll interval
  }
  ASSERT_EQ(logout_client.post_raw("/api/users/logout", "", api_key(key)).status, 200);
  const auto responses = queued.get();
  EXPECT_EQ(responses.back().status, 401) << responses.back().body;
  // The password did not change.
  EXPECT_EQ(http.post("/api/users/login", json{{"username", "queued"}, {"password", kUserPassword}})
                .status,
            200);
  EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace automation::testing
