// The front door on the real server (issue 22): forward authentication, the login page and its
// cookie, the cross-site check, return addresses, and CORS (issue 20). The real nginx in front
// is exercised by tests/js/front_door_nginx.cjs.

#include <gtest/gtest.h>

#include <string>

#include "api_fixture.hpp"
#include "controls_server.hpp"

namespace automation::testing {
namespace {

constexpr const char* kForm = "Content-Type: application/x-www-form-urlencoded";

// "automation_session=<value>" of a Set-Cookie header ("" when none).
std::string cookie_of(const HttpResponse& response) {
  const std::string set_cookie = response.header("set-cookie");
  return set_cookie.substr(0, set_cookie.find(';'));
}

// FrontDoorTest and FrontDoorSettings are HTTP-layer work over the core calls every route
// makes: they run on SQLite only (engine_independent_tests in CMakeLists.txt, CI's time);
// FrontDoorSessionTest, about sessions in the store, runs on every database.
class FrontDoorTest : public ApiTest {
 protected:
  // A user of `role` and their key.
  std::string key_for(const std::string& role, std::string* username = nullptr) {
    const std::string name = unique_name(role);
    create_user(name, role);
    if (username != nullptr) *username = name;
    return login(name);
  }
  HttpResponse verify(const Headers& headers, std::string_view method = "GET",
                      std::string_view query = "") {
    auto response = http().request(method, "/api/auth/verify" + std::string(query), {}, headers);
    remember_secret(response.header("x-automation-token"));
    return response;
  }
  // Signs in through the login page; the response of POST /login.
  HttpResponse page_login(const std::string& username, const std::string& password,
                          const std::string& rd = "", Headers headers = {}) {
    headers.push_back(kForm);
    std::vector<std::pair<std::string, std::string>> fields = {{"username", username},
                                                               {"password", password}};
    if (!rd.empty()) fields.emplace_back("rd", rd);
    auto response = http().post_raw("/login", form_encode(fields), headers);
    remember_secret(cookie_of(response).substr(cookie_of(response).find('=') + 1));
    return response;
  }
  std::string own_origin() { return "http://127.0.0.1:" + std::to_string(server().port()); }
  // An admin's key: admins manage the sessions of the users below them (sudo only admins').
  const std::string& admin_key() {
    static const std::string key = key_for("admin");
    return key;
  }
  // The newest audit event.
  nlohmann::json newest_event() {
    return http().get("/api/users/audit?limit=1", api_key(system_key())).json().at(0);
  }
};

// Sessions made, revoked and ended through the front door, in the store.
class FrontDoorSessionTest : public FrontDoorTest {};

TEST_F(FrontDoorTest, VerifyAnswersTheIdentityOfAKeyInEveryForm) {
  std::string name;
  const std::string key = key_for("operator", &name);
  for (const Headers& headers :
       {api_key(key), Headers{"Authorization: Token " + key}, Headers{"Authorization: Bearer " + key}}) {
    const auto response = verify(headers);
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.header("x-automation-user"), name);
    EXPECT_EQ(response.header("x-automation-role"), "operator");
    EXPECT_EQ(response.header("x-automation-role-level"), "10");
    EXPECT_EQ(response.header("x-automation-email"), name + "@plant.example");
    const std::string token = response.header("x-automation-token");
    EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2) << token;
    EXPECT_EQ(token.find(key), std::string::npos);
  }
  // X-Automation-Session is the public id the session list shows, never the key.
  const std::string session = verify(api_key(key)).header("x-automation-session");
  const auto sessions = http().get("/api/users/" + name + "/sessions", api_key(admin_key()));
  ASSERT_EQ(sessions.status, 200) << sessions.body;
  ASSERT_EQ(sessions.json().size(), 1u);
  EXPECT_EQ(sessions.json()[0].at("id"), session);
  EXPECT_NE(session, key);
}

TEST_F(FrontDoorSessionTest, VerifyRefusesAsEveryRouteDoes) {
  EXPECT_EQ(verify({}).json().at("message"), "Key is missing.");
  EXPECT_EQ(verify({}).status, 401);
  EXPECT_EQ(verify(api_key("not-a-key")).status, 401);
  EXPECT_EQ(verify(api_key("not-a-key")).json().at("message"), "Invalid token");
  EXPECT_EQ(verify(Headers{"Authorization: Basic dXNlcjpwYXNz"}).status, 401);

  std::string name;
  const std::string logged_out = key_for("operator", &name);
  ASSERT_EQ(http().post("/api/users/logout", nlohmann::json::object(), api_key(logged_out)).status,
            200);
  EXPECT_EQ(verify(api_key(logged_out)).status, 401);

  const std::string revoked = login(name);
  ASSERT_EQ(verify(api_key(revoked)).status, 200);
  ASSERT_EQ(http().del("/api/users/" + name + "/sessions", api_key(admin_key())).status, 200);
  EXPECT_EQ(verify(api_key(revoked)).status, 401) << "a revoked session gets no new token";
}

TEST_F(FrontDoorTest, VerifyServesEveryMethodAProxyPassesAndChangesNothing) {
  const std::string key = key_for("guest");
  const auto before = newest_event();
  for (const char* method : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"}) {
    const auto response = verify(api_key(key), method);
    EXPECT_EQ(response.status, 200) << method << ": " << response.body;
    EXPECT_EQ(response.header("x-automation-role"), "guest") << method;
  }
  EXPECT_EQ(newest_event(), before) << "verification writes no audit event";
}

TEST_F(FrontDoorTest, AMinimumLevelRefusesLessPrivilegedRoles) {
  const std::string guest = key_for("guest");
  const std::string operator_key = key_for("operator");
  auto refused = verify(Headers{"X-API-KEY: " + guest, "X-Automation-Require-Level: 10"});
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.json().at("message"), "Access denied. Required role level: <= 10");
  EXPECT_TRUE(refused.header("x-automation-token").empty());
  EXPECT_EQ(verify(Headers{"X-API-KEY: " + operator_key, "X-Automation-Require-Level: 10"}).status,
            200);
  EXPECT_EQ(verify(api_key(guest), "GET", "?require_level=10").status, 403);
  EXPECT_EQ(verify(Headers{"X-API-KEY: " + operator_key, "X-Automation-Require-Level: 100"},
                   "GET", "?require_level=2")
                .status,
            403)
      << "with both, the stricter one";
  // "X-Automation-Require-Level;" is how curl sends the header with an empty value.
  for (const std::string& bad :
       {std::string("X-Automation-Require-Level: abc"), std::string("X-Automation-Require-Level: -1"),
        std::string("X-Automation-Require-Level: 10x"), std::string("X-Automation-Require-Level;"),
        std::string("X-Automation-Require-Level: 99999999999999999999")}) {
    EXPECT_EQ(verify(Headers{"X-API-KEY: " + operator_key, bad}).status, 400) << bad;
  }
  EXPECT_EQ(verify(api_key(operator_key), "GET", "?require_level=").status, 400);
}

TEST_F(FrontDoorTest, AllowAnonymousPassesOnlyRequestsWithoutAnyCredential) {
  const auto anonymous = verify({}, "GET", "?allow_anonymous=true");
  EXPECT_EQ(anonymous.status, 200);
  EXPECT_TRUE(anonymous.header("x-automation-token").empty());
  EXPECT_TRUE(anonymous.header("x-automation-user").empty());
  EXPECT_EQ(verify(api_key("forged"), "GET", "?allow_anonymous=true").status, 401);
  EXPECT_EQ(verify({"Cookie: automation_session=forged"}, "GET", "?allow_anonymous=1").status, 401);
  const std::string key = key_for("guest");
  EXPECT_EQ(verify(api_key(key), "GET", "?allow_anonymous=true").header("x-automation-role"),
            "guest");
  EXPECT_EQ(verify({}, "GET", "?allow_anonymous=no").status, 401);
}

TEST_F(FrontDoorTest, ARefusalTellsTheProxyWhereTheLoginPageIs) {
  const auto refused = verify(Headers{"X-Original-URL: https://plant.example/app/?a=1&b=2"});
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.header("location"),
            "/login?rd=https%3A//plant.example/app/%3Fa%3D1%26b%3D2");
  EXPECT_TRUE(verify(Headers{"X-Original-URL: javascript:alert(1)"}).header("location").empty());
  EXPECT_TRUE(verify({}).header("location").empty());
}

TEST_F(FrontDoorTest, AThirdPartyTokenPassesAsItsOwnRoleUntilRevoked) {
  const auto created = http().post("/api/users/create_tpt", nlohmann::json{{"role_name", "operator"}},
                                   api_key(system_key()));
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string tpt = created.json().at("token");
  const std::string jti = created.json().at("jti");
  remember_secret(tpt);
  const auto response = verify(api_key(tpt));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.header("x-automation-user"), "tpt:" + jti);
  EXPECT_EQ(response.header("x-automation-role"), "operator");
  EXPECT_TRUE(response.header("x-automation-session").empty());
  EXPECT_NE(response.header("x-automation-token"), tpt) << "a fresh short-lived token";
  ASSERT_EQ(http().del("/api/users/tpts/" + jti, api_key(system_key())).status, 200);
  EXPECT_EQ(verify(api_key(tpt)).status, 401);
}

TEST_F(FrontDoorTest, AMintedTokenIsNoKeyHereNotEvenASudoOne) {
  const auto minted = verify(api_key(system_key()));
  ASSERT_EQ(minted.status, 200);
  EXPECT_EQ(minted.header("x-automation-role"), "sudo") << "the plant's administrator stays one";
  const std::string token = minted.header("x-automation-token");
  EXPECT_EQ(http().get("/api/users/me", api_key(token)).status, 401);
  EXPECT_EQ(verify(api_key(token)).status, 401);
  EXPECT_EQ(http().get("/api/users/", Headers{"Authorization: Bearer " + token}).status, 401);
}

TEST_F(FrontDoorTest, IdentityHeadersAClientSendsAreIgnored) {
  std::string name;
  const std::string key = key_for("guest", &name);
  const auto response = verify(Headers{"X-API-KEY: " + key, "X-Automation-User: system",
                                       "X-Automation-Role: sudo", "X-Automation-Role-Level: 0"});
  EXPECT_EQ(response.header("x-automation-user"), name);
  EXPECT_EQ(response.header("x-automation-role"), "guest");
}

TEST_F(FrontDoorSessionTest, TheLoginPageSignsInWithACookieSessionLikeAnyOther) {
  std::string name;
  (void)key_for("operator", &name);
  const auto page = http().get("/login");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page.header("content-security-policy").find("default-src 'none'"), std::string::npos);
  EXPECT_NE(page.body.find("name=\"password\""), std::string::npos);
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  EXPECT_EQ(http().get("/login/style.css").status, 200);

  const auto signed_in = page_login(name, kUserPassword, "/app/?x=1");
  ASSERT_EQ(signed_in.status, 303) << signed_in.body;
  EXPECT_EQ(signed_in.header("location"), "/app/?x=1");
  const std::string set_cookie = signed_in.header("set-cookie");
  EXPECT_EQ(set_cookie.rfind("automation_session=", 0), 0u) << set_cookie;
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_NE(set_cookie.find("Path=/"), std::string::npos);
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos) << "plain HTTP, not asked for";
  const Headers cookie = {"Cookie: theme=dark; " + cookie_of(signed_in)};

  // Audited as a login from the client's address, listed like any session.
  const auto event = newest_event();
  EXPECT_EQ(event.at("event"), "login");
  EXPECT_EQ(event.at("actor"), name);
  EXPECT_EQ(event.at("address"), "127.0.0.1");
  const auto sessions = http().get("/api/users/" + name + "/sessions", api_key(admin_key()));
  ASSERT_EQ(sessions.json().size(), 2u) << "the API login above and the page's";

  EXPECT_EQ(http().get("/api/users/me", cookie).json().at("username"), name);
  const auto verified = verify(cookie);
  EXPECT_EQ(verified.status, 200);
  EXPECT_EQ(verified.header("x-automation-user"), name);
  const auto shown = http().get("/login", cookie);
  EXPECT_NE(shown.body.find("Signed in as <strong>" + name), std::string::npos);

  Headers sign_out = cookie;
  sign_out.push_back(kForm);
  sign_out.push_back("Origin: " + own_origin());
  const auto out = http().post_raw("/logout", "", sign_out);
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(out.header("location"), "/login");
  EXPECT_NE(out.header("set-cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(verify(cookie).status, 401) << "the session ended";
  EXPECT_EQ(newest_event().at("event"), "logout");
}

TEST_F(FrontDoorTest, ACookieChangesStateOnlyFromThisSite) {
  std::string name;
  (void)key_for("operator", &name);
  const auto signed_in = page_login(name, kUserPassword);
  ASSERT_EQ(signed_in.status, 303);
  const std::string cookie = "Cookie: " + cookie_of(signed_in);
  const nlohmann::json nothing = nlohmann::json::object();

  for (const Headers& headers : {Headers{cookie}, Headers{cookie, "Origin: https://evil.example"},
                                 Headers{cookie, "Origin: null"},
                                 Headers{cookie, "Referer: https://evil.example/page"}}) {
    const auto refused = http().post("/api/users/logout", nothing, headers);
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_EQ(refused.json().at("error_type"), "cross_site_request");
  }
  EXPECT_EQ(http().get("/api/users/me", {cookie}).status, 200) << "nothing was changed";
  // A safe request from another origin is answered as if it carried no cookie; a link
  // followed from another site (Referer only) keeps it.
  EXPECT_EQ(http().get("/api/users/me", {cookie, "Origin: https://evil.example"}).json().at("message"),
            "Key is missing.");
  EXPECT_EQ(http().get("/api/users/me", {cookie, "Referer: https://portal.example/"}).status, 200);
  // Through forward authentication, the original method is judged.
  EXPECT_EQ(verify({cookie, "Origin: https://evil.example", "X-Forwarded-Method: POST"}).status,
            403);
  EXPECT_EQ(verify({cookie, "X-Forwarded-Method: DELETE"}).status, 403);
  EXPECT_EQ(verify({cookie, "Origin: https://evil.example", "X-Forwarded-Method: GET"}).status, 401);
  EXPECT_EQ(verify({cookie, "Origin: " + own_origin(), "X-Forwarded-Method: POST"}).status, 200);
  // Keys in headers work exactly as before, whatever the origin.
  const std::string key = login(name);
  EXPECT_EQ(http().get("/api/users/me", {"X-API-KEY: " + key, "Origin: https://evil.example"}).status,
            200);
  // This site's own form or script.
  EXPECT_EQ(http().post("/api/users/logout", nothing, {cookie, "Referer: " + own_origin() + "/login"})
                .status,
            200);
  EXPECT_EQ(http().get("/api/users/me", {cookie}).status, 401);
}

TEST_F(FrontDoorTest, ForgedMalformedAndOversizedCookiesAre401) {
  const std::string tpt_like = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic3VkbyJ9.c2ln";
  for (const std::string& value :
       {std::string("zz-not-hex"), tpt_like, std::string(4000, 'a'), std::string("\"\""),
        std::string("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        std::string("%00%0d%0a"), std::string("a\x80\xff")}) {
    const auto response = http().get("/api/users/me", {"Cookie: automation_session=" + value});
    EXPECT_EQ(response.status, 401) << value.substr(0, 40);
    EXPECT_EQ(verify({"Cookie: automation_session=" + value}).status, 401) << value.substr(0, 40);
  }
  EXPECT_EQ(http().get("/login", {"Cookie: automation_session=zz; automation_session=11"}).status,
            200)
      << "a bad cookie on the login page only means: not signed in";
  EXPECT_EQ(verify({"Origin: ::::", "Referer: \x01", "Host: [", "Cookie: ;;;==;"}).status, 401);
  // DEL is no header byte at all: the HTTP parser closes the connection before any route runs
  // (as for oversized headers), and the server goes on serving.
  EXPECT_EQ(http().get("/api/users/me", {"Cookie: automation_session=a\x7f"}).status, 0);
  EXPECT_EQ(http().get("/api/health/ping").status, 200);
}

TEST_F(FrontDoorTest, TheLoginPageRefusesOpenRedirectsAndDoesNothing) {
  std::string name;
  (void)key_for("operator", &name);
  for (const char* rd : {"//evil.example", "/\\evil.example", "https:evil.example",
                         "https://evil.example/", "http://127.0.0.1@evil.example/",
                         "/%2F%2Fevil.example", "javascript:alert(1)"}) {
    const auto before = newest_event();
    const auto response = page_login(name, kUserPassword, rd);
    EXPECT_EQ(response.status, 400) << rd;
    EXPECT_TRUE(response.header("set-cookie").empty()) << rd;
    EXPECT_TRUE(response.header("location").empty()) << rd;
    EXPECT_EQ(newest_event(), before) << rd << ": no login was attempted";
    EXPECT_EQ(http().get(std::string("/login?rd=") + rd).status, 400) << rd;
  }
  // This service's own host, absolute, is allowed.
  const std::string own = own_origin() + "/app/";
  const auto allowed = page_login(name, kUserPassword, own);
  EXPECT_EQ(allowed.status, 303);
  EXPECT_EQ(allowed.header("location"), own);
}

TEST_F(FrontDoorTest, TheLoginPageAnswersBadSignInsWithThePage) {
  std::string name;
  (void)key_for("guest", &name);
  const auto wrong = page_login(name, "Wrong-password-1");
  EXPECT_EQ(wrong.status, 403);
  EXPECT_NE(wrong.body.find("Invalid username or password."), std::string::npos);
  EXPECT_TRUE(wrong.header("set-cookie").empty());
  EXPECT_NE(wrong.body.find("value=\"" + name + "\""), std::string::npos) << "name kept";
  const auto event = newest_event();
  EXPECT_EQ(event.at("event"), "login");
  EXPECT_EQ(event.at("outcome"), "failure");
  EXPECT_EQ(page_login("", "").status, 400);
  const auto foreign = page_login(name, kUserPassword, "", {"Origin: https://evil.example"});
  EXPECT_EQ(foreign.status, 403) << "a login form on another site";
  EXPECT_TRUE(foreign.header("set-cookie").empty());
  // The email works in the same field.
  EXPECT_EQ(page_login(name + "@plant.example", kUserPassword).status, 303);
}

TEST_F(FrontDoorTest, CorsAnswersAnyOriginWithoutCredentialsByDefault) {
  const auto ping = http().get("/api/health/ping", {"Origin: https://hmi.example"});
  EXPECT_EQ(ping.header("access-control-allow-origin"), "*");
  EXPECT_TRUE(ping.header("access-control-allow-credentials").empty());
  EXPECT_TRUE(http().get("/api/health/ping").header("access-control-allow-origin").empty());
  const auto preflight = http().request(
      "OPTIONS", "/api/users/", {},
      {"Origin: https://hmi.example", "Access-Control-Request-Method: GET",
       "Access-Control-Request-Headers: x-api-key"});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.header("access-control-allow-origin"), "*");
  EXPECT_NE(preflight.header("access-control-allow-headers").find("X-API-KEY"), std::string::npos);
  EXPECT_NE(preflight.header("access-control-allow-methods").find("DELETE"), std::string::npos);
  EXPECT_EQ(preflight.header("access-control-max-age"), "600");
  EXPECT_EQ(http().request("OPTIONS", "/api/nothing/here", {},
                           {"Origin: https://hmi.example", "Access-Control-Request-Method: PUT"})
                .status,
            204)
      << "any path";
  EXPECT_EQ(http().request("OPTIONS", "/api/users/", {}, {}).status, 405)
      << "an OPTIONS that is no preflight is answered as before";
  // Errors carry CORS too, so a page can read why.
  const auto refused = http().get("/api/users/me", {"Origin: https://hmi.example"});
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.header("access-control-allow-origin"), "*");
}

TEST(FrontDoorSettings, AListOfOriginsGetsCredentialsAndVary) {
  ControlsServer server(Env{{"AUTOMATION_CORS_ORIGINS", "https://hmi.example"}});
  HttpClient http(server.process().base_url());
  const auto listed = http.get("/api/health/ping", {"Origin: https://hmi.example"});
  EXPECT_EQ(listed.header("access-control-allow-origin"), "https://hmi.example");
  EXPECT_EQ(listed.header("access-control-allow-credentials"), "true");
  EXPECT_EQ(listed.header("vary"), "Origin");
  const auto other = http.get("/api/health/ping", {"Origin: https://evil.example"});
  EXPECT_TRUE(other.header("access-control-allow-origin").empty());
  EXPECT_EQ(other.header("vary"), "Origin");
  const auto preflight = http.request("OPTIONS", "/api/users/me", {},
                                      {"Origin: https://evil.example",
                                       "Access-Control-Request-Method: GET"});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_TRUE(preflight.header("access-control-allow-origin").empty());
  EXPECT_TRUE(preflight.header("access-control-allow-methods").empty());
}

TEST(FrontDoorSettings, CorsOffSendsNoHeadersAndNoPreflight) {
  ControlsServer server(Env{{"AUTOMATION_CORS_ORIGINS", "off"}});
  HttpClient http(server.process().base_url());
  EXPECT_TRUE(http.get("/api/health/ping", {"Origin: https://hmi.example"})
                  .header("access-control-allow-origin")
                  .empty());
  EXPECT_EQ(http.request("OPTIONS", "/api/users/", {},
                         {"Origin: https://hmi.example", "Access-Control-Request-Method: GET"})
                .status,
            405);
}

TEST(FrontDoorSettings, APasswordToChangeIsChangedOnThePageAndTheCookieIsSecureWhenAsked) {
  ControlsServer server(Env{{"AUTOMATION_PASSWORD_CHANGE_ON_FIRST_LOGIN", "true"},
                            {"AUTOMATION_COOKIE_SECURE", "true"},
                            {"AUTOMATION_LOGIN_NOTICE", "Authorized personnel only"},
                            {"AUTOMATION_LOGIN_REDIRECT_HOSTS", "grafana.plant.example"}});
  server.add_user("newcomer", "operator");  // set by the system user: to be changed
  HttpClient http(server.process().base_url());
  const Headers form = {kForm};
  const auto first = http.post_raw(
      "/login",
      form_encode({{"username", "newcomer"}, {"password", kUserPassword},
                   {"rd", "https://grafana.plant.example/d/1"}}),
      form);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_NE(first.body.find("action=\"/login/password\""), std::string::npos);
  EXPECT_NE(first.body.find("Authorized personnel only"), std::string::npos);
  EXPECT_NE(first.header("content-security-policy").find("https://grafana.plant.example:*"),
            std::string::npos);
  const std::string set_cookie = first.header("set-cookie");
  EXPECT_NE(set_cookie.find("; Secure"), std::string::npos);
  const std::string cookie = "Cookie: " + cookie_of(first);
  remember_secret(cookie_of(first).substr(cookie_of(first).find('=') + 1));
  const std::string origin = "Origin: " + server.process().base_url();

  EXPECT_EQ(http.get("/api/auth/verify", {cookie}).status, 403) << "the change comes first";
  const std::string new_password = "Newcomer-Chose-This-1";
  remember_secret(new_password);
  const auto mismatch = http.post_raw(
      "/login/password",
      form_encode({{"current_password", kUserPassword}, {"new_password", new_password},
                   {"confirm_password", "something else"}}),
      {kForm, cookie, origin});
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_NE(mismatch.body.find("do not match"), std::string::npos);
  const auto changed = http.post_raw(
      "/login/password",
      form_encode({{"current_password", kUserPassword}, {"new_password", new_password},
                   {"confirm_password", new_password}, {"rd", "https://grafana.plant.example/d/1"}}),
      {kForm, cookie, origin});
  ASSERT_EQ(changed.status, 303) << changed.body;
  EXPECT_EQ(changed.header("location"), "https://grafana.plant.example/d/1");
  const auto verified = http.get("/api/auth/verify", {cookie});
  EXPECT_EQ(verified.status, 200) << verified.body;
  remember_secret(verified.header("x-automation-token"));
  EXPECT_TRUE(server.has_event("password_change", "newcomer", "success"));
}

}  // namespace
}  // namespace automation::testing
