// Multi-factor authentication end to end (docs/mfa.md), on the real binary and database, with
// every TOTP code computed by Debian's oathtool (never by the code under test), and the
// enrollment's QR code read back by zbarimg.

#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api_fixture.hpp"
#include "controls_server.hpp"
#include "directory_server.hpp"

namespace automation::testing {
namespace {

// What a command printed on stdout (trailing newline removed); "" when it could not run.
std::string output_of(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 256> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) out += buffer.data();
  ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

bool have_program(const char* name) {
  return output_of(std::string("command -v ") + name + " 2>/dev/null") != "";
}

// The code of a base32 secret (A-Z, 2-7: nothing the shell reads) at now + offset seconds.
std::string oathtool_code(const std::string& secret, long offset_seconds = 0) {
  const long long at = static_cast<long long>(std::time(nullptr)) + offset_seconds;
  const std::string code =
      output_of("oathtool --totp -b -N @" + std::to_string(at) + " " + secret + " 2>&1");
  EXPECT_EQ(code.size(), 6u) << "oathtool said: " << code;
  return code;
}

// A code that is none of the codes around now.
std::string wrong_code(const std::string& secret) {
  std::set<std::string> near;
  for (long offset = -60; offset <= 60; offset += 30) near.insert(oathtool_code(secret, offset));
  for (const char* candidate : {"000000", "111111", "222222", "333333", "444444", "555555"}) {
    if (!near.contains(candidate)) return candidate;
  }
  return "999999";
}

std::set<std::string> keys_of(const nlohmann::json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

// One user's MFA through the API of one server.
struct Enrolled {
  std::string secret;
  std::vector<std::string> recovery_codes;
  nlohmann::json enrollment;  // the answer of POST /api/users/me/mfa/totp
};

// Enrolls the holder of `key` and confirms with oathtool's current code.
Enrolled enroll(HttpClient& http, const std::string& key) {
  Enrolled enrolled;
  const auto started = http.request("POST", "/api/users/me/mfa/totp", "", api_key(key));
  EXPECT_EQ(started.status, 200) << started.body;
  if (started.status != 200) return enrolled;
  enrolled.enrollment = started.json();
  enrolled.secret = enrolled.enrollment.at("secret").get<std::string>();
  remember_secret(enrolled.secret);
  const auto confirmed = http.post("/api/users/me/mfa/totp/confirm",
                                   nlohmann::json{{"code", oathtool_code(enrolled.secret)}},
                                   api_key(key));
  EXPECT_EQ(confirmed.status, 200) << confirmed.body;
  if (confirmed.status != 200) return enrolled;
  const nlohmann::json answer = confirmed.json();  // kept: the loop reads into it
  for (const auto& code : answer.at("recovery_codes")) {
    enrolled.recovery_codes.push_back(code.get<std::string>());
    remember_secret(enrolled.recovery_codes.back());
  }
  return enrolled;
}

HttpResponse password_login(HttpClient& http, const std::string& name,
                            const std::string& password = kUserPassword) {
  return http.post("/api/users/login", nlohmann::json{{"username", name}, {"password", password}});
}

// The mfa_token of a right password for an account with MFA.
std::string mfa_token(HttpClient& http, const std::string& name) {
  const auto first = password_login(http, name);
  EXPECT_EQ(first.status, 401) << first.body;
  if (first.status != 401) return "";
  const auto body = first.json();
  EXPECT_EQ(body.value("error_type", ""), "mfa_required");
  EXPECT_FALSE(body.contains("apiKey"));
  const std::string token = body.value("mfa_token", "");
  remember_secret(token);
  return token;
}

HttpResponse second_step(HttpClient& http, const std::string& token, const std::string& code) {
  return http.post("/api/users/login/mfa", nlohmann::json{{"mfa_token", token}, {"code", code}});
}

// For tests about something other than the database (a QR image, a key file): CI runs them
// once, on SQLite, rather than again on PostgreSQL and MySQL.
#define SKIP_UNLESS_SQLITE_RUN()                                                  \
  if (run_backend() != TestBackend::kSqlite) {                                    \
    GTEST_SKIP() << "not about the database: runs in the SQLite run only"; \
  }

class Mfa : public ApiTest {
 protected:
  // A new user of `role` with a session; returns (name, key).
  std::pair<std::string, std::string> user_with_session(const std::string& role = "operator") {
    const std::string name = unique_name("mfa");
    create_user(name, role);
    return {name, login(name)};
  }
};

TEST_F(Mfa, EnrolledUsersLogInWithACodeAndTheAnswerIsAPasswordLogins) {
  const auto [plain_name, plain_key] = user_with_session();
  const auto password_answer = password_login(http(), plain_name);
  ASSERT_EQ(password_answer.status, 200);

  const auto [name, key] = user_with_session();
  const auto before = http().get("/api/users/me/mfa", api_key(key));
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(before.json().at("enabled"), false);
  const Enrolled enrolled = enroll(http(), key);
  ASSERT_EQ(enrolled.recovery_codes.size(), 10u);
  EXPECT_EQ(enrolled.enrollment.at("otpauth_uri").get<std::string>(),
            "otpauth://totp/automation:" + name + "?secret=" + enrolled.secret +
                "&issuer=automation&algorithm=SHA1&digits=6&period=30");
  const auto status = http().get("/api/users/me/mfa", api_key(key));
  EXPECT_EQ(status.json().at("enabled"), true);
  EXPECT_EQ(status.json().at("recovery_codes_left"), 10);

  const std::string token = mfa_token(http(), name);
  const std::string code = oathtool_code(enrolled.secret, 30);
  const auto answer = second_step(http(), token, code);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(keys_of(answer.json()), keys_of(password_answer.json()))
      << "the second step answers exactly like a password login";
  EXPECT_TRUE(is_login_datetime(answer.json().at("datetime")));
  const std::string session = answer.json().at("apiKey");
  remember_secret(session);
  EXPECT_EQ(http().get("/api/users/me", api_key(session)).status, 200);

  // Replay: the same code with a fresh token, and the used token again.
  const auto replayed = second_step(http(), mfa_token(http(), name), code);
  EXPECT_EQ(replayed.status, 401) << replayed.body;
  EXPECT_EQ(replayed.json().value("error_type", ""), "invalid_mfa_code");
  const auto reused = second_step(http(), token, oathtool_code(enrolled.secret, 30));
  EXPECT_EQ(reused.status, 401);
  EXPECT_EQ(reused.json().value("error_type", ""), "invalid_mfa_token");
}

TEST_F(Mfa, OtpInTheLoginBodyDoesBothStepsJsonOrForm) {
  const auto [name, key] = user_with_session();
  const Enrolled enrolled = enroll(http(), key);
  const auto wrong = http().post("/api/users/login",
                                 nlohmann::json{{"username", name},
                                                {"password", kUserPassword},
                                                {"otp", wrong_code(enrolled.secret)}});
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  EXPECT_EQ(wrong.json().value("error_type", ""), "invalid_mfa_code");
  EXPECT_FALSE(wrong.json().contains("apiKey"));
  const auto form = http().post_raw(
      "/api/users/login",
      form_encode({{"username", name},
                   {"password", kUserPassword},
                   {"otp", oathtool_code(enrolled.secret, 30)}}),
      {"Content-Type: application/x-www-form-urlencoded"});
  ASSERT_EQ(form.status, 200) << form.body;
  remember_secret(form.json().at("apiKey"));
}

// Electronic signatures (docs/signatures.md) of a signer with MFA take a code too, checked by
// the same service as logins: once per code, wrong codes refused (not a 401, which would end
// the signer's session in the HMI), a recovery code used up and audited.
TEST_F(Mfa, SignersWithMfaSignWithACodeThatWorksOnce) {
  const auto [name, key] = user_with_session();
  const Enrolled enrolled = enroll(http(), key);
  auto sign = [&](const std::optional<std::string>& code) {
    nlohmann::json body{{"username", name},
                        {"password", kUserPassword},
                        {"meaning", "performed"},
                        {"record_type", "batch"},
                        {"record_id", "B-7"},
                        {"record_digest", sha256_hex("batch B-7")}};
    if (code) body["code"] = *code;
    return http().post("/api/signatures", body, api_key(key));
  };
  const auto without = sign(std::nullopt);
  EXPECT_EQ(without.status, 400) << without.body;
  EXPECT_TRUE(without.json().at("errors").contains("code")) << without.body;
  EXPECT_EQ(without.json().value("error_type", ""), "mfa_required");
  const auto wrong = sign(wrong_code(enrolled.secret));
  EXPECT_EQ(wrong.status, 403) << wrong.body;
  EXPECT_EQ(wrong.json().value("error_type", ""), "invalid_mfa_code");
  // The confirmation used the current step; the next one is still accepted, once.
  const std::string next = oathtool_code(enrolled.secret, 30);
  const auto signed_with_code = sign(next);
  ASSERT_EQ(signed_with_code.status, 200) << signed_with_code.body;
  EXPECT_EQ(sign(next).status, 403) << "a code is accepted once";
  const auto with_recovery = sign(enrolled.recovery_codes.at(0));
  ASSERT_EQ(with_recovery.status, 200) << with_recovery.body;
  EXPECT_EQ(http().get("/api/users/me/mfa", api_key(key)).json().at("recovery_codes_left"), 9);
  const auto trail = http().get("/api/users/audit?limit=100", api_key(system_key()));
  int recovery_uses = 0;
  int signatures = 0;
  for (const auto& event : trail.json()) {
    if (event.at("actor") != name) continue;
    recovery_uses += event.at("event") == "mfa_recovery_code_used" ? 1 : 0;
    signatures += event.at("event") == "signature" && event.at("outcome") == "success" ? 1 : 0;
  }
  EXPECT_EQ(recovery_uses, 1);
  EXPECT_EQ(signatures, 2);
}

TEST_F(Mfa, RecoveryCodesWorkOnceEachAndTheCountGoesDown) {
  const auto [name, key] = user_with_session();
  const Enrolled enrolled = enroll(http(), key);
  const std::string code = enrolled.recovery_codes.at(3);
  const auto used = second_step(http(), mfa_token(http(), name), code);
  ASSERT_EQ(used.status, 200) << used.body;
  EXPECT_EQ(used.json().at("recovery_codes_left"), 9);
  remember_secret(used.json().at("apiKey"));
  const auto again = second_step(http(), mfa_token(http(), name), code);
  EXPECT_EQ(again.status, 401) << "single use";
  EXPECT_EQ(http().get("/api/users/me/mfa", api_key(key)).json().at("recovery_codes_left"), 9);
  const auto trail = http().get("/api/users/audit?limit=100", api_key(system_key()));
  bool recorded = false;
  for (const auto& event : trail.json()) {
    recorded = recorded || (event.at("event") == "mfa_recovery_code_used" &&
                            event.at("actor") == name && event.at("outcome") == "success");
  }
  EXPECT_TRUE(recorded);
  // Removal by the owner: password and a (recovery) code.
  const auto removed = http().request(
      "DELETE", "/api/users/me/mfa",
      nlohmann::json{{"password", kUserPassword}, {"code", enrolled.recovery_codes.at(4)}}.dump(),
      api_key(key));
  EXPECT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(password_login(http(), name).status, 200) << "the password alone again";
}

TEST_F(Mfa, TheSecretIsNotInTheDatabaseInTheClear) {
  const auto [name, key] = user_with_session();
  const Enrolled enrolled = enroll(http(), key);
  ASSERT_FALSE(enrolled.secret.empty());
  // The secret's forms: base32 as shown, its raw bytes, and their hex in either case.
  const std::string raw =
      output_of("printf %s " + enrolled.secret + " | base32 -d | od -An -v -tx1 | tr -d ' \\n'");
  ASSERT_EQ(raw.size(), 40u) << "20 bytes as hex: " << raw;
  std::string raw_bytes;
  for (std::size_t i = 0; i < raw.size(); i += 2) {
    raw_bytes += static_cast<char>(std::stoi(raw.substr(i, 2), nullptr, 16));
  }
  std::string upper_hex = raw;
  for (char& c : upper_hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::vector<std::string> forms = {enrolled.secret, raw, upper_hex, raw_bytes};

  const std::string stored = query_sql(
      server(), "SELECT t.sealed_secret FROM mfa_totp t JOIN users u ON u.id = t.user_id WHERE "
                "u.username = '" + name + "'");
  ASSERT_TRUE(stored.starts_with("v1:")) << stored;
  for (const auto& form : forms) EXPECT_EQ(stored.find(form), std::string::npos);
  if (server().server_database() != nullptr) return;  // PostgreSQL/MySQL: no file of ours
  // SQLite: every byte of the database file and its write-ahead log.
  for (const std::string suffix : {"", "-wal"}) {
    std::ifstream file(server().db_file().string() + suffix, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    for (const auto& form : forms) {
      EXPECT_EQ(bytes.find(form), std::string::npos) << "found in automation.db" << suffix;
    }
  }
}

TEST_F(Mfa, TheQrCodeReadsBackAsTheOtpauthUri) {
  SKIP_UNLESS_SQLITE_RUN();
  if (!have_program("zbarimg") || !have_program("rsvg-convert")) {
    GTEST_SKIP() << "zbarimg (zbar-tools) or rsvg-convert (librsvg2-bin) not installed: "
                    "scripts/install-deps.sh installs them";
  }
  const auto [name, key] = user_with_session();
  const auto started = http().request("POST", "/api/users/me/mfa/totp", "", api_key(key));
  ASSERT_EQ(started.status, 200);
  remember_secret(started.json().at("secret"));
  const auto dir = std::filesystem::temp_directory_path() /
                   ("automation-qr-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "qr.svg") << started.json().at("qr_svg").get<std::string>();
  const std::string decoded =
      output_of("rsvg-convert -w 400 '" + (dir / "qr.svg").string() + "' -o '" +
                (dir / "qr.png").string() + "' && zbarimg -q --raw '" + (dir / "qr.png").string() +
                "' 2>/dev/null");
  std::filesystem::remove_all(dir);
  EXPECT_EQ(decoded, started.json().at("otpauth_uri").get<std::string>());
}

TEST_F(Mfa, AnAdminResetsAndTheCommandLineToolToo) {
  const auto [admin_name, admin_key] = user_with_session("admin");
  const auto [name, key] = user_with_session();
  const auto [other_name, other_key] = user_with_session();
  enroll(http(), key);
  enroll(http(), other_key);
  const auto reset = http().request("POST", "/api/users/" + name + "/mfa/reset", "",
                                    api_key(admin_key));
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_EQ(reset.json().at("was_enabled"), true);
  EXPECT_EQ(password_login(http(), name).status, 200);
  const auto own = http().request("POST", "/api/users/" + admin_name + "/mfa/reset", "",
                                  api_key(admin_key));
  EXPECT_EQ(own.status, 400) << "one's own goes with password and code";
  const auto by_operator = http().request("POST", "/api/users/" + other_name + "/mfa/reset", "",
                                          api_key(key));
  EXPECT_EQ(by_operator.status, 403);

  std::string printed;
  EXPECT_EQ(server().run_cli({"user", "mfa-reset", "--username", other_name}, &printed), 0)
      << printed;
  EXPECT_EQ(password_login(http(), other_name).status, 200);
  const auto trail = http().get("/api/users/audit?limit=100", api_key(system_key()));
  std::set<std::string> resets;
  for (const auto& event : trail.json()) {
    if (event.at("event") == "mfa_reset" && event.at("outcome") == "success") {
      resets.insert(event.at("actor").get<std::string>() + " " +
                    event.at("target").get<std::string>());
    }
  }
  EXPECT_TRUE(resets.contains(admin_name + " " + name));
  EXPECT_TRUE(resets.contains("cli " + other_name));
  // The trail with every MFA event in it still verifies (the MAC format did not change).
  EXPECT_EQ(server().run_cli({"audit", "verify"}, &printed), 0) << printed;
}

// The login page's code step (docs/front-door.md): HTTP-layer work over the core calls the API
// makes, so it runs on SQLite only (engine_independent_tests in CMakeLists.txt).
class MfaLoginPage : public Mfa {
 protected:
  static constexpr const char* kForm = "Content-Type: application/x-www-form-urlencoded";
  HttpResponse page_login(const std::string& name, const std::string& rd = "") {
    std::vector<std::pair<std::string, std::string>> fields = {{"username", name},
                                                               {"password", kUserPassword}};
    if (!rd.empty()) fields.emplace_back("rd", rd);
    return http().post_raw("/login", form_encode(fields), {kForm});
  }
  HttpResponse page_code(const std::string& token, const std::string& code,
                         const std::string& rd = "", Headers headers = {}) {
    headers.push_back(kForm);
    std::vector<std::pair<std::string, std::string>> fields = {{"mfa_token", token},
                                                               {"code", code}};
    if (!rd.empty()) fields.emplace_back("rd", rd);
    auto response = http().post_raw("/login/mfa", form_encode(fields), headers);
    const std::string cookie = response.header("set-cookie");
    remember_secret(cookie.substr(0, cookie.find(';')));
    return response;
  }
  // The mfa_token the code form carries ("" when the page has no code form).
  static std::string form_token(const HttpResponse& page) {
    const std::string field = "name=\"mfa_token\" value=\"";
    const auto at = page.body.find(field);
    if (at == std::string::npos) return "";
    const auto start = at + field.size();
    std::string token = page.body.substr(start, page.body.find('"', start) - start);
    remember_secret(token);
    return token;
  }
  nlohmann::json newest_event() {
    return http().get("/api/users/audit?limit=1", api_key(system_key())).json().at(0);
  }
};

TEST_F(MfaLoginPage, ThePasswordLeadsToTheCodeFormAndOnlyTheCodeSetsTheCookie) {
  const auto [name, key] = user_with_session();
  const Enrolled enrolled = enroll(http(), key);

  const auto asked = page_login(name, "/app/?x=1");
  ASSERT_EQ(asked.status, 200) << asked.body;
  EXPECT_TRUE(asked.header("set-cookie").empty()) << "no session before the code";
  EXPECT_NE(asked.body.find("action=\"/login/mfa\""), std::string::npos) << asked.body;
  EXPECT_NE(asked.body.find("autocomplete=\"one-time-code\""), std::string::npos);
  EXPECT_EQ(asked.body.find(kUserPassword), std::string::npos) << "the form never holds it";
  EXPECT_EQ(asked.header("cache-control"), "no-store");
  const std::string token = form_token(asked);
  ASSERT_EQ(token.size(), 64u) << asked.body;
  EXPECT_EQ(newest_event().at("event"), "mfa_challenge");

  // A blank code asks again and counts nothing; a wrong one keeps the form and its token.
  EXPECT_EQ(page_code(token, " ", "/app/?x=1").status, 400);
  const auto wrong = page_code(token, wrong_code(enrolled.secret), "/app/?x=1");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.body.find("Wrong code"), std::string::npos);
  EXPECT_TRUE(wrong.header("set-cookie").empty());
  EXPECT_EQ(form_token(wrong), token);
  // From another site: refused, nothing done.
  const auto foreign = page_code(token, oathtool_code(enrolled.secret, 30), "",
                                 {"Origin: https://evil.example"});
  EXPECT_EQ(foreign.status, 403);
  EXPECT_TRUE(foreign.header("set-cookie").empty());

  const auto in = page_code(token, oathtool_code(enrolled.secret, 30), "/app/?x=1");
  ASSERT_EQ(in.status, 303) << in.body;
  EXPECT_EQ(in.header("location"), "/app/?x=1");
  const std::string set_cookie = in.header("set-cookie");
  ASSERT_EQ(set_cookie.rfind("automation_session=", 0), 0u) << set_cookie;
  const Headers cookie = {"Cookie: " + set_cookie.substr(0, set_cookie.find(';'))};
  EXPECT_EQ(http().get("/api/users/me", cookie).json().at("username"), name);
  EXPECT_EQ(http().get("/api/auth/verify", cookie).status, 200);
  const auto event = newest_event();
  EXPECT_EQ(event.at("event"), "login");
  EXPECT_EQ(event.at("outcome"), "success");
  EXPECT_EQ(event.at("reason").get<std::string>().rfind("amr=pwd,otp", 0), 0u) << event;

  // The token was used: back to the sign-in form.
  const auto reused = page_code(token, oathtool_code(enrolled.secret, 30));
  EXPECT_EQ(reused.status, 401);
  EXPECT_NE(reused.body.find("action=\"/login\""), std::string::npos);
  EXPECT_TRUE(form_token(reused).empty());

  // A recovery code works in the same field, once.
  const auto recovered = page_code(form_token(page_login(name)), enrolled.recovery_codes.at(0));
  EXPECT_EQ(recovered.status, 303) << recovered.body;
  EXPECT_EQ(http().get("/api/users/me/mfa", api_key(key)).json().at("recovery_codes_left"), 9);
  EXPECT_EQ(page_code(form_token(page_login(name)), enrolled.recovery_codes.at(0)).status, 401);
}

TEST_F(MfaLoginPage, WrongCodesOnThePageCountWithTheApisAgainstOneLimit) {
  const auto [name, key] = user_with_session();
  const Enrolled enrolled = enroll(http(), key);
  const std::string token = form_token(page_login(name));
  ASSERT_FALSE(token.empty());
  const std::string wrong = wrong_code(enrolled.secret);
  // AUTOMATION_MFA_MAX_FAILURES is 5: three on the page, two through the API, same account.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(page_code(token, wrong).status, 401);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(second_step(http(), token, wrong).status, 401);
  const auto held = page_code(token, oathtool_code(enrolled.secret, 30));
  EXPECT_EQ(held.status, 429) << "the right code waits too";
  EXPECT_FALSE(held.header("retry-after").empty());
  EXPECT_NE(held.body.find("Too many wrong codes"), std::string::npos);
  EXPECT_TRUE(held.header("set-cookie").empty());
  EXPECT_EQ(second_step(http(), token, oathtool_code(enrolled.secret, 30)).status, 429);
}

TEST(MfaLimits, WrongCodesAreLimitedExactlyWhenRacedAndApartFromPasswords) {
  // Eight I/O threads, so that the guesses are checked at the same moment, not one by one.
  ControlsServer server(Env{{"AUTOMATION_MFA_MAX_FAILURES", "3"}, {"AUTOMATION_THREADS", "8"}});
  server.add_user("racer", "operator");
  const Enrolled enrolled = enroll(server.http(), server.key_of("racer"));
  const std::string token = mfa_token(server.http(), "racer");
  const std::string wrong = wrong_code(enrolled.secret);
  const nlohmann::json body = {{"mfa_token", token}, {"code", wrong}};
  const std::vector<PendingRequest> guesses(
      24, PendingRequest{"POST", "/api/users/login/mfa", body.dump(),
                         {"Content-Type: application/json"}});
  int rejected = 0;
  int throttled = 0;
  for (const auto& response : request_concurrently(server.process().base_url(), guesses)) {
    if (response.status == 401) ++rejected;
    if (response.status == 429) {
      ++throttled;
      EXPECT_FALSE(response.header("retry-after").empty());
    }
  }
  EXPECT_EQ(rejected, 3) << "exactly the limit is checked, however many race";
  EXPECT_EQ(throttled, 21);
  EXPECT_EQ(second_step(server.http(), token, oathtool_code(enrolled.secret, 30)).status, 429)
      << "the right code waits too";
  // The password's own count is untouched: the password still gets a token.
  EXPECT_EQ(password_login(server.http(), "racer").status, 401);
  EXPECT_TRUE(server.has_event("login", "racer", "throttled"));
}

TEST(MfaPolicy, ARoleThatMustUseMfaGetsAKeyThatOnlySetsItUp) {
  ControlsServer server(Env{{"AUTOMATION_MFA_REQUIRED_LEVEL", "1"}});
  server.add_user("chief", "admin");
  server.add_user("worker", "operator");
  const auto first = password_login(server.http(), "chief");
  ASSERT_EQ(first.status, 403) << first.body;
  EXPECT_EQ(first.json().value("error_type", ""), "mfa_enrollment_required");
  const std::string key = first.json().value("apiKey", "");
  remember_secret(key);
  const auto refused = server.http().get("/api/users/", api_key(key));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.json().value("error_type", ""), "mfa_enrollment_required");
  const auto status = server.http().get("/api/users/me/mfa", api_key(key));
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_EQ(status.json().at("required_by_policy"), true);
  enroll(server.http(), key);
  EXPECT_EQ(server.http().get("/api/users/", api_key(key)).status, 200)
      << "the confirming session counts as verified";
  EXPECT_EQ(password_login(server.http(), "worker").status, 200) << "operators are not covered";
  EXPECT_EQ(password_login(server.http(), "system", kSystemPassword).status, 200)
      << "system, the break-glass account, is exempt";
}

// Two server processes on one database (the pg.* and my.* runs: one PostgreSQL or MySQL
// database; on SQLite, one file): the same code sent to both at once is accepted once.
TEST(MfaNodes, TwoServersAcceptTheSameCodeOnce) {
  ControlsServer first;
  std::map<std::string, std::string> shared;
  if (const ScratchDatabase* database = first.process().server_database()) {
    shared["AUTOMATION_DB_NAME"] = database->name();
  } else {
    shared["AUTOMATION_DB_FILE"] = first.process().db_file().string();
  }
  ServerProcess second(shared, first.process().backend());
  second.start();
  HttpClient second_http(second.base_url());

  constexpr int kUsers = 4;
  std::vector<std::pair<std::string, Enrolled>> users;
  for (int i = 0; i < kUsers; ++i) {
    const std::string name = "node_user_" + std::to_string(i);
    first.add_user(name, "operator");
    users.emplace_back(name, enroll(first.http(), first.key_of(name)));
  }
  for (const auto& [name, enrolled] : users) {
    const std::string code = oathtool_code(enrolled.secret, 30);
    const std::string token_one = mfa_token(first.http(), name);
    const std::string token_two = mfa_token(second_http, name);
    HttpResponse one, two;
    std::thread via_first([&] {
      HttpClient client(first.process().base_url());
      one = second_step(client, token_one, code);
    });
    std::thread via_second([&] {
      HttpClient client(second.base_url());
      two = second_step(client, token_two, code);
    });
    via_first.join();
    via_second.join();
    EXPECT_EQ((one.status == 200) + (two.status == 200), 1)
        << name << ": " << one.status << " " << one.body << " / " << two.status << " " << two.body;
    EXPECT_EQ((one.status == 401) + (two.status == 401), 1)
        << name << ": " << one.status << " " << one.body << " / " << two.status << " " << two.body;
    for (const auto* response : {&one, &two}) {
      if (response->status == 200) remember_secret(response->json().at("apiKey"));
    }
  }
  EXPECT_EQ(second.stop(), 0);
  expect_no_secrets(second.log(), "second server's log");
}

TEST(MfaKey, AKeyFileFollowsTheAuditKeysRulesAndOtherwiseTheServerWarns) {
  SKIP_UNLESS_SQLITE_RUN();
  const auto dir = std::filesystem::temp_directory_path() /
                   ("automation-mfa-key-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto key_file = dir / "mfa.key";
  std::ofstream(key_file) << "0123456789abcdef0123456789abcdef0123456789abcdef\n";
  std::filesystem::permissions(key_file, std::filesystem::perms::owner_read |
                                             std::filesystem::perms::owner_write |
                                             std::filesystem::perms::group_read);
  ServerProcess refused(Env{{"AUTOMATION_MFA_KEY_FILE", key_file.string()}});
  EXPECT_NE(refused.run_expecting_exit(), 0);
  EXPECT_NE(refused.log().find("AUTOMATION_MFA_KEY_FILE"), std::string::npos) << refused.log();
  EXPECT_NE(refused.log().find("chmod 600"), std::string::npos);

  std::filesystem::permissions(key_file, std::filesystem::perms::owner_read |
                                             std::filesystem::perms::owner_write);
  ControlsServer with_file(Env{{"AUTOMATION_MFA_KEY_FILE", key_file.string()}});
  with_file.add_user("keyed", "operator");
  const Enrolled enrolled = enroll(with_file.http(), with_file.key_of("keyed"));
  EXPECT_EQ(second_step(with_file.http(), mfa_token(with_file.http(), "keyed"),
                        oathtool_code(enrolled.secret, 30))
                .status,
            200);
  EXPECT_EQ(with_file.process().log().find("AUTOMATION_MFA_KEY_FILE is not set"),
            std::string::npos);
  EXPECT_EQ(query_sql(with_file.process(),
                      "SELECT COUNT(*) FROM settings s WHERE s.key = 'mfa_secret_key'"),
            "0")
      << "with a key file, no key is kept in the database";
  std::filesystem::remove_all(dir);

  ControlsServer without_file;
  EXPECT_NE(without_file.process().log().find("AUTOMATION_MFA_KEY_FILE is not set"),
            std::string::npos);
}

// Directory login (docs/directory-login.md): once the directory accepted the password, a
// directory user with MFA gets the same second step as a local account, and the password
// step's event says the directory decided. (A DirectoryLogin.* test: runs on SQLite only.)
TEST(DirectoryLogin, AnEnrolledDirectoryUserGivesTheSecondFactorToo) {
  AUTOMATION_REQUIRE_DIRECTORY(directory);
  const std::string uid = add_person(directory, kOperators);
  ControlsServer server(directory_settings(directory));
  const Enrolled enrolled = enroll(server.http(), server.key_of(uid, kDirectoryPassword));
  ASSERT_FALSE(enrolled.secret.empty());

  EXPECT_EQ(password_login(server.http(), uid, "not-the-password").status, 403);
  const auto first = password_login(server.http(), uid, kDirectoryPassword);
  ASSERT_EQ(first.status, 401) << first.body;
  EXPECT_EQ(first.json().value("error_type", ""), "mfa_required");
  EXPECT_FALSE(first.json().contains("apiKey"));
  const std::string token = first.json().value("mfa_token", "");
  remember_secret(token);
  EXPECT_NE(audit_reason(server, "mfa_challenge", uid).find("directory login"),
            std::string::npos);

  const auto done = second_step(server.http(), token, oathtool_code(enrolled.secret, 30));
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json().at("role"), "operator");
  const std::string key = done.json().value("apiKey", "");
  remember_secret(key);

  // What needs the password besides the session asks the directory too (the row has none).
  const std::string code = enrolled.recovery_codes.at(0);
  EXPECT_EQ(server.http()
                .post("/api/users/me/mfa/recovery_codes",
                      nlohmann::json{{"password", "not-the-password"}, {"code", code}},
                      api_key(key))
                .status,
            400);
  const auto renewed = server.http().post(
      "/api/users/me/mfa/recovery_codes",
      nlohmann::json{{"password", kDirectoryPassword}, {"code", code}}, api_key(key));
  EXPECT_EQ(renewed.status, 200) << renewed.body;
  for (const auto& fresh : renewed.json().value("recovery_codes", nlohmann::json::array())) {
    remember_secret(fresh.get<std::string>());
  }
  EXPECT_EQ(server.process().stop(), 0);
}

}  // namespace
}  // namespace automation::testing
