// The OpenID Connect provider on the real server (issue 27; docs/oidc.md): the code flow
// through the login page and its cookie, every refusal the issue lists, refresh rotation and
// reuse, what ends a grant (logout, password or role change, on another node too), client
// credentials, introspection, revocation and RP-initiated logout. Real relying parties
// (Authlib, Apache mod_auth_openidc with Chromium) check the same flows from outside in
// oidc_relying_party_test.cpp and tests/js/oidc_apache.cjs.

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <string>
#include <thread>

#include "api_fixture.hpp"
#include "controls_server.hpp"
#include "directory_server.hpp"
#include "oidc_kept_keys.hpp"

namespace automation::testing {
namespace {

constexpr const char* kOidcForm = "Content-Type: application/x-www-form-urlencoded";
constexpr const char* kRedirectUri = "http://app.plant.test/callback";
constexpr const char* kPostLogoutUri = "http://app.plant.test/signed-out";
// A PKCE verifier and its S256 challenge, computed here with OpenSSL (RFC 7636 appendix B's
// example verifier).
constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

std::string base64url(const unsigned char* bytes, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes,
                                     static_cast<int>(size));
  out.resize(static_cast<std::size_t>(length));
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!out.empty() && out.back() == '=') out.pop_back();
  return out;
}

std::string s256(const std::string& verifier) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(verifier.data(), verifier.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return base64url(digest.data(), length);
}

// A part of a JWT (0: header, 1: payload), decoded (the signature is checked by Authlib and
// PyJWT elsewhere).
nlohmann::json jwt_part(const std::string& token, int index) {
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  std::string part = index == 0 ? token.substr(0, first) : token.substr(first + 1, second - first - 1);
  for (char& c : part) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (part.size() % 4 != 0) part += '=';
  std::string out(part.size(), '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                     reinterpret_cast<const unsigned char*>(part.data()),
                                     static_cast<int>(part.size()));
  out.resize(static_cast<std::size_t>(std::max(length, 0)));
  while (!out.empty() && out.back() == '\0') out.pop_back();
  return nlohmann::json::parse(out);
}

nlohmann::json jwt_payload(const std::string& token) { return jwt_part(token, 1); }

// The value of `name` in a URL's query ("" when absent), percent-decoding %XX.
std::string query_param(const std::string& url, const std::string& name) {
  const auto query = url.find('?');
  if (query == std::string::npos) return {};
  std::string_view rest = std::string_view(url).substr(query + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      std::string value;
      const std::string_view raw = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '%' && i + 2 < raw.size() + 0 && i + 2 <= raw.size() - 1) {
          value += static_cast<char>(std::stoi(std::string(raw.substr(i + 1, 2)), nullptr, 16));
          i += 2;
        } else {
          value += raw[i] == '+' ? ' ' : raw[i];
        }
      }
      return value;
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

std::string cookie_header(const HttpResponse& response) {
  const std::string set_cookie = response.header("set-cookie");
  return "Cookie: " + set_cookie.substr(0, set_cookie.find(';'));
}

struct RegisteredClient {
  std::string id;
  std::string secret;
};

// One provider: a server with OIDC on, a client, an operator, and the steps of the flow.
class OidcServer {
 public:
  explicit OidcServer(Env env = {}) : server_(with_oidc(std::move(env))) {
    server_.add_user("ana", "operator");
    client_ = add_client({"--name", "app", "--redirect-uri", kRedirectUri,
                          "--post-logout-redirect-uri", kPostLogoutUri});
  }
  static Env with_oidc(Env env) {
    env["AUTOMATION_OIDC_ENABLED"] = "true";
    return env;
  }
  RegisteredClient add_client(std::vector<std::string> args) {
    args.insert(args.begin(), {"oidc", "client", "add"});
    args.emplace_back("--json");
    std::string output;
    EXPECT_EQ(server_.process().run_cli(args, &output), 0) << output;
    const auto printed = nlohmann::json::parse(output.substr(output.find('{')));
    RegisteredClient client;
    client.id = printed.at("client_id").get<std::string>();
    if (printed.at("client_secret").is_string()) client.secret = printed.at("client_secret");
    remember_secret(client.secret);
    return client;
  }
  std::string origin() { return server_.process().base_url(); }
  // Signs in through the login page; the Cookie header of the browser session.
  std::string browser_session(const std::string& name, const std::string& password = kUserPassword) {
    const auto response = http().post_raw(
        "/login", form_encode({{"username", name}, {"password", password}}),
        {kOidcForm, "Origin: " + origin()});
    EXPECT_EQ(response.status, 303) << response.body;
    remember_secret(response.header("set-cookie"));
    return cookie_header(response);
  }
  std::string authorize_path(const std::string& scope = "openid profile email roles",
                             const std::string& extra = "") const {
    return "/oidc/authorize?response_type=code&client_id=" + client_.id +
           "&redirect_uri=" + encoded(kRedirectUri) + "&scope=" + encoded(scope) +
           "&state=st-1&nonce=n-0S6&code_challenge=" + s256(kVerifier) +
           "&code_challenge_method=S256" + extra;
  }
  static std::string encoded(const std::string& text) {
    return form_encode({{"x", text}}).substr(2);
  }
  // The code the provider hands the browser session `cookie` (asserts a redirect with one).
  std::string code_for(const std::string& cookie, const std::string& scope = "openid profile email roles") {
    const auto response = http().get(authorize_path(scope), {cookie});
    EXPECT_EQ(response.status, 302) << response.body;
    const std::string location = response.header("location");
    EXPECT_EQ(location.rfind(kRedirectUri, 0), 0U) << location;
    EXPECT_EQ(query_param(location, "state"), "st-1");
    EXPECT_EQ(query_param(location, "iss"), origin());
    return query_param(location, "code");
  }
  HttpResponse token(std::vector<std::pair<std::string, std::string>> fields,
                     const RegisteredClient* client = nullptr) {
    const RegisteredClient& who = client != nullptr ? *client : client_;
    fields.emplace_back("client_id", who.id);
    if (!who.secret.empty()) fields.emplace_back("client_secret", who.secret);
    auto response = http().post_raw("/oidc/token", form_encode(fields), {kOidcForm});
    if (response.status == 200) {
      for (const char* key : {"access_token", "id_token", "refresh_token"}) {
        remember_secret(response.json().value(key, ""));
      }
    }
    return response;
  }
  HttpResponse exchange(const std::string& code, const std::string& verifier = kVerifier) {
    return token({{"grant_type", "authorization_code"},
                  {"code", code},
                  {"redirect_uri", kRedirectUri},
                  {"code_verifier", verifier}});
  }
  HttpResponse refresh(const std::string& refresh_token) {
    return token({{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}});
  }
  HttpResponse introspect(const std::string& token_text) {
    return http().post_raw("/oidc/introspect",
                           form_encode({{"token", token_text},
                                        {"client_id", client_.id},
                                        {"client_secret", client_.secret}}),
                           {kOidcForm});
  }
  HttpResponse userinfo(const std::string& access_token) {
    return http().get("/oidc/userinfo", {"Authorization: Bearer " + access_token});
  }
  // Tokens of a fresh sign-in of ana with offline_access: the token answer's JSON.
  nlohmann::json tokens_with_refresh(const std::string& cookie) {
    const auto response = exchange(code_for(cookie, "openid profile roles offline_access"));
    EXPECT_EQ(response.status, 200) << response.body;
    return response.json();
  }

  ControlsServer& server() { return server_; }
  HttpClient& http() { return server_.http(); }
  const RegisteredClient& client() const { return client_; }

 private:
  ControlsServer server_;
  RegisteredClient client_;
};

TEST(OidcFlow, TheCodeFlowIssuesTokensThatDescribeTheSignedInUser) {
  OidcServer oidc;
  const std::string cookie = oidc.browser_session("ana");
  const auto answer = oidc.exchange(oidc.code_for(cookie));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.header("cache-control"), "no-store");
  const auto tokens = answer.json();
  EXPECT_EQ(tokens.at("token_type"), "Bearer");
  EXPECT_FALSE(tokens.contains("refresh_token")) << "only with offline_access";
  const auto id = jwt_payload(tokens.at("id_token"));
  const auto me = oidc.http().get("/api/users/me", {cookie}).json();
  EXPECT_EQ(id.at("iss"), oidc.origin());
  EXPECT_EQ(id.at("aud"), oidc.client().id);
  EXPECT_EQ(id.at("sub"), me.at("identifier"));
  EXPECT_EQ(id.at("nonce"), "n-0S6");
  EXPECT_EQ(id.at("preferred_username"), "ana");
  EXPECT_EQ(id.at("email"), "ana@plant.local");
  EXPECT_EQ(id.at("roles"), nlohmann::json::array({"operator"}));
  EXPECT_EQ(id.at("role_level"), me.at("role").at("level"));
  EXPECT_EQ(id.at("amr"), nlohmann::json::array({"pwd"}));
  EXPECT_GT(id.at("exp").get<long long>(), id.at("iat").get<long long>());
  EXPECT_LE(id.at("auth_time").get<long long>(), id.at("iat").get<long long>());

  const auto info = oidc.userinfo(tokens.at("access_token"));
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(info.json().at("sub"), me.at("identifier"));
  EXPECT_EQ(info.json().at("preferred_username"), "ana");
  const auto facts = oidc.introspect(tokens.at("access_token"));
  ASSERT_EQ(facts.status, 200) << facts.body;
  EXPECT_EQ(facts.json().at("active"), true);
  EXPECT_EQ(facts.json().at("username"), "ana");
  EXPECT_EQ(oidc.userinfo(tokens.at("id_token")).status, 401) << "an ID token is no access token";
  EXPECT_TRUE(oidc.server().has_event("oidc_authorize", "app", "success"));
  EXPECT_TRUE(oidc.server().has_event("oidc_token", "app", "success"));
}

TEST(OidcFlow, AClientRegisteredForES256GetsES256IdTokensAndRs256AccessTokens) {
  OidcServer oidc;
  const auto es256 = oidc.add_client(
      {"--name", "optix", "--redirect-uri", kRedirectUri, "--id-token-alg", "ES256"});
  const std::string cookie = oidc.browser_session("ana");
  std::string path = oidc.authorize_path();
  path.replace(path.find(oidc.client().id), oidc.client().id.size(), es256.id);
  const auto redirect = oidc.http().get(path, {cookie});
  ASSERT_EQ(redirect.status, 302) << redirect.body;
  const auto answer = oidc.token({{"grant_type", "authorization_code"},
                                  {"code", query_param(redirect.header("location"), "code")},
                                  {"redirect_uri", kRedirectUri},
                                  {"code_verifier", kVerifier}},
                                 &es256);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(jwt_part(answer.json().at("id_token"), 0).at("alg"), "ES256");
  EXPECT_EQ(jwt_part(answer.json().at("access_token"), 0).at("alg"), "RS256");
  // The ES256 ID token is a hint the provider accepts: the session ends without a question.
  const auto out = oidc.http().get(
      "/oidc/logout?id_token_hint=" + answer.json().at("id_token").get<std::string>(), {cookie});
  EXPECT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(oidc.http().get("/api/users/me", {cookie}).status, 401);
  std::string output;
  EXPECT_NE(oidc.server().process().run_cli(
                {"oidc", "client", "add", "--name", "bad", "--redirect-uri", kRedirectUri,
                 "--id-token-alg", "HS256"},
                &output),
            0)
      << output;
}

TEST(OidcFlow, CodesAreSingleUseAndBoundToClientRedirectAndVerifier) {
  OidcServer oidc;
  const std::string cookie = oidc.browser_session("ana");
  const std::string code = oidc.code_for(cookie);
  ASSERT_EQ(oidc.exchange(code).status, 200);
  const auto again = oidc.exchange(code);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.json().at("error"), "invalid_grant") << "a reused code";

  EXPECT_EQ(oidc.exchange(oidc.code_for(cookie), std::string(43, 'x')).json().at("error"),
            "invalid_grant")
      << "a wrong verifier";
  const auto other = oidc.add_client({"--name", "other", "--redirect-uri", kRedirectUri});
  const auto stolen = oidc.token({{"grant_type", "authorization_code"},
                                  {"code", oidc.code_for(cookie)},
                                  {"redirect_uri", kRedirectUri},
                                  {"code_verifier", kVerifier}},
                                 &other);
  EXPECT_EQ(stolen.json().at("error"), "invalid_grant") << "another client's code";
  const auto elsewhere = oidc.token({{"grant_type", "authorization_code"},
                                     {"code", oidc.code_for(cookie)},
                                     {"redirect_uri", "http://app.plant.test/other"},
                                     {"code_verifier", kVerifier}});
  EXPECT_EQ(elsewhere.json().at("error"), "invalid_grant") << "another redirect_uri";
  RegisteredClient wrong = oidc.client();
  wrong.secret = "not-the-secret";
  const auto refused = oidc.token({{"grant_type", "authorization_code"}, {"code", "x"}}, &wrong);
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.json().at("error"), "invalid_client");
}

TEST(OidcFlow, AnUnregisteredRedirectIsAnErrorPageAndOtherRefusalsGoBackWithState) {
  OidcServer oidc;
  const std::string cookie = oidc.browser_session("ana");
  std::string path = oidc.authorize_path();
  const auto page = oidc.http().get(
      path.replace(path.find("callback"), 8, "evil"), {cookie});
  EXPECT_EQ(page.status, 400);
  EXPECT_EQ(page.header("location"), "") << "never a redirect to an unregistered address";
  const auto unknown = oidc.http().get(
      "/oidc/authorize?response_type=code&client_id=nobody&redirect_uri=" +
          OidcServer::encoded(kRedirectUri),
      {cookie});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.header("location"), "");

  const auto no_openid = oidc.http().get(oidc.authorize_path("profile"), {cookie});
  ASSERT_EQ(no_openid.status, 302);
  EXPECT_EQ(query_param(no_openid.header("location"), "error"), "invalid_scope");
  EXPECT_EQ(query_param(no_openid.header("location"), "state"), "st-1");
  std::string plain_path = oidc.authorize_path();
  plain_path.replace(plain_path.find("method=S256"), 11, "method=plain");
  const auto plain = oidc.http().get(plain_path, {cookie});
  EXPECT_EQ(query_param(plain.header("location"), "error"), "invalid_request");
}

TEST(OidcFlow, SigningInGoesThroughTheLoginPageAndPromptLoginAsksAgain) {
  OidcServer oidc;
  const auto anonymous = oidc.http().get(oidc.authorize_path());
  ASSERT_EQ(anonymous.status, 302);
  EXPECT_EQ(anonymous.header("location").rfind("/login?rd=/oidc/authorize%3F", 0), 0U)
      << anonymous.header("location");
  const auto silent = oidc.http().get(oidc.authorize_path() + "&prompt=none");
  EXPECT_EQ(query_param(silent.header("location"), "error"), "login_required");

  const std::string cookie = oidc.browser_session("ana");
  const auto again = oidc.http().get(oidc.authorize_path() + "&prompt=login", {cookie});
  ASSERT_EQ(again.status, 302);
  const std::string login = again.header("location");
  EXPECT_NE(login.find("prompt=login"), std::string::npos) << login;
  const auto form = oidc.http().get(login, {cookie});
  EXPECT_NE(form.body.find("name=\"password\""), std::string::npos)
      << "the password form over a live session";
  // The address it returns to does not ask again once the browser has signed in afresh, and
  // the old session's sign-in is not fresh enough for it.
  const std::string rd = query_param(login, "rd");
  EXPECT_EQ(rd.find("prompt="), std::string::npos) << rd;
  const auto fresh = oidc.browser_session("ana");
  const auto back = oidc.http().get(rd, {fresh});
  EXPECT_FALSE(query_param(back.header("location"), "code").empty()) << back.header("location");
  const auto max_age = oidc.http().get(oidc.authorize_path() + "&max_age=0", {fresh});
  EXPECT_EQ(max_age.header("location").rfind("/login?", 0), 0U) << max_age.header("location");
}

TEST(OidcFlow, TheSudoAccountSignsInToNoApplication) {
  OidcServer oidc;
  const std::string cookie = oidc.browser_session("system", kSystemPassword);
  const auto refused = oidc.http().get(oidc.authorize_path(), {cookie});
  ASSERT_EQ(refused.status, 302);
  EXPECT_EQ(query_param(refused.header("location"), "error"), "access_denied");
}

TEST(OidcFlow, RefreshTokensRotateAndAReusedOneEndsItsFamily) {
  OidcServer oidc;
  const auto first = oidc.tokens_with_refresh(oidc.browser_session("ana"));
  const std::string old_token = first.at("refresh_token");
  const auto rotated = oidc.refresh(old_token);
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string newest = rotated.json().at("refresh_token");
  EXPECT_NE(newest, old_token);
  EXPECT_EQ(jwt_payload(rotated.json().at("id_token")).at("preferred_username"), "ana");

  const auto reused = oidc.refresh(old_token);
  EXPECT_EQ(reused.status, 400);
  EXPECT_EQ(reused.json().at("error"), "invalid_grant");
  EXPECT_EQ(oidc.refresh(newest).json().at("error"), "invalid_grant")
      << "a reuse ends the whole family";
  EXPECT_TRUE(oidc.server().has_event("oidc_refresh_reuse", "app", "denied"));
  EXPECT_EQ(oidc.userinfo(rotated.json().at("access_token")).status, 401)
      << "the family's access tokens end with it";
  const auto widened = oidc.tokens_with_refresh(oidc.browser_session("ana"));
  const auto wider = oidc.token({{"grant_type", "refresh_token"},
                                 {"refresh_token", widened.at("refresh_token")},
                                 {"scope", "openid email offline_access"}});
  EXPECT_EQ(wider.json().at("error"), "invalid_scope");
}

TEST(OidcFlow, LogoutPasswordAndRoleChangesEndTheGrants) {
  OidcServer oidc;
  // The browser signs out: its refresh tokens and access tokens end with the session.
  const std::string cookie = oidc.browser_session("ana");
  const auto tokens = oidc.tokens_with_refresh(cookie);
  const auto signed_out = oidc.http().post_raw("/logout", "", {kOidcForm, cookie, "Origin: " + oidc.origin()});
  ASSERT_EQ(signed_out.status, 303) << signed_out.body;
  EXPECT_EQ(oidc.refresh(tokens.at("refresh_token")).json().at("error"), "invalid_grant");
  EXPECT_EQ(oidc.introspect(tokens.at("access_token")).json().at("active"), false);
  EXPECT_EQ(oidc.userinfo(tokens.at("access_token")).status, 401);

  // A role change ends the refresh tokens (the claims they would carry changed).
  const auto by_role = oidc.tokens_with_refresh(oidc.browser_session("ana"));
  const auto role = oidc.http().post(
      "/api/users/update_role",
      nlohmann::json{{"target_username", "ana"}, {"new_role_name", "supervisor"}},
      api_key(oidc.server().system_key()));
  ASSERT_EQ(role.status, 200) << role.body;
  EXPECT_EQ(oidc.refresh(by_role.at("refresh_token")).json().at("error"), "invalid_grant");

  // Her own password change ends her other sessions (the browser's among them), and the
  // grants with them.
  const auto by_change = oidc.tokens_with_refresh(oidc.browser_session("ana"));
  remember_secret("An0ther-Passw0rd-long");
  const auto change = oidc.http().post(
      "/api/users/change_password",
      nlohmann::json{{"target_username", "ana"},
                     {"current_password", kUserPassword},
                     {"new_password", "An0ther-Passw0rd-long"}},
      api_key(oidc.server().key_of("ana")));
  ASSERT_EQ(change.status, 200) << change.body;
  EXPECT_EQ(oidc.refresh(by_change.at("refresh_token")).json().at("error"), "invalid_grant");
}

TEST(OidcFlow, RevocationEndsRefreshFamiliesAndAccessTokens) {
  OidcServer oidc;
  const auto tokens = oidc.tokens_with_refresh(oidc.browser_session("ana"));
  const auto revoke = [&](const std::string& token_text) {
    return oidc.http().post_raw("/oidc/revoke",
                                form_encode({{"token", token_text},
                                             {"client_id", oidc.client().id},
                                             {"client_secret", oidc.client().secret}}),
                                {kOidcForm});
  };
  EXPECT_EQ(revoke("not-a-token").status, 200);
  EXPECT_EQ(oidc.introspect(tokens.at("refresh_token")).json().at("active"), true);
  EXPECT_EQ(revoke(tokens.at("refresh_token")).status, 200);
  EXPECT_EQ(oidc.introspect(tokens.at("refresh_token")).json().at("active"), false);
  EXPECT_EQ(oidc.refresh(tokens.at("refresh_token")).json().at("error"), "invalid_grant");
  EXPECT_TRUE(oidc.server().has_event("oidc_revoke", "ana", "success"));
  EXPECT_EQ(oidc.userinfo(tokens.at("access_token")).status, 401)
      << "the grant's access tokens end with its refresh family";
  // An access token is a signed JWT: revoked, it is refused wherever the provider is asked.
  const auto plain = oidc.exchange(oidc.code_for(oidc.browser_session("ana"))).json();
  EXPECT_EQ(oidc.userinfo(plain.at("access_token")).status, 200);
  EXPECT_EQ(revoke(plain.at("access_token")).status, 200);
  EXPECT_EQ(oidc.userinfo(plain.at("access_token")).status, 401);
  EXPECT_EQ(oidc.introspect(plain.at("access_token")).json().at("active"), false);
}

TEST(OidcFlow, AMachineClientGetsAnAccessTokenOfItsOwn) {
  OidcServer oidc;
  const auto machine = oidc.add_client({"--name", "historian", "--grant", "client_credentials"});
  const auto answer = oidc.token({{"grant_type", "client_credentials"}}, &machine);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_FALSE(answer.json().contains("id_token"));
  const std::string access = answer.json().at("access_token");
  EXPECT_EQ(jwt_payload(access).at("sub"), machine.id);
  EXPECT_EQ(oidc.userinfo(access).status, 401) << "no user to describe";
  EXPECT_EQ(oidc.introspect(access).json().at("active"), true);
  const auto not_allowed = oidc.token({{"grant_type", "client_credentials"}});
  EXPECT_EQ(not_allowed.json().at("error"), "unauthorized_client");
}

TEST(OidcFlow, RpInitiatedLogoutEndsTheSessionOnlyForTheHintedUser) {
  OidcServer oidc;
  oidc.server().add_user("ben", "operator");
  const std::string ana = oidc.browser_session("ana");
  const std::string id_token = oidc.exchange(oidc.code_for(ana)).json().at("id_token");
  // Ben's browser gets Ana's hint: it asks instead of signing him out.
  const std::string ben = oidc.browser_session("ben");
  const std::string logout = "/oidc/logout?id_token_hint=" + id_token +
                             "&post_logout_redirect_uri=" + OidcServer::encoded(kPostLogoutUri) +
                             "&state=bye";
  const auto question = oidc.http().get(logout, {ben});
  EXPECT_EQ(question.status, 200);
  EXPECT_NE(question.body.find("action=\"/oidc/logout\""), std::string::npos) << question.body;
  EXPECT_EQ(oidc.http().get("/api/users/me", {ben}).status, 200) << "nothing ended yet";
  const auto unregistered = oidc.http().get(
      "/oidc/logout?id_token_hint=" + id_token + "&post_logout_redirect_uri=" +
          OidcServer::encoded("http://evil.test/"),
      {ana});
  EXPECT_EQ(unregistered.status, 400);
  EXPECT_EQ(oidc.http().get("/api/users/me", {ana}).status, 200);

  const auto out = oidc.http().get(logout, {ana});
  ASSERT_EQ(out.status, 302) << out.body;
  EXPECT_EQ(out.header("location"), std::string(kPostLogoutUri) + "?state=bye");
  EXPECT_EQ(oidc.http().get("/api/users/me", {ana}).status, 401);
  EXPECT_TRUE(oidc.server().has_event("oidc_logout", "app", "success"));
}

// Whether the provider's JWKS publishes `kid`, polled until it is `published` (a JWKS request
// reads the kept keys again when the last read is over a second old).
bool jwks_publishes_eventually(HttpClient& http, const std::string& kid, bool published) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (;;) {
    bool found = false;
    const nlohmann::json jwks = http.get("/oidc/jwks").json();
    for (const auto& key : jwks.at("keys")) found = found || key.at("kid") == kid;
    if (found == published || std::chrono::steady_clock::now() > deadline) return found;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

TEST(OidcFlow, ATokenSignedByARemovedKeyIsRefused) {
  OidcServer oidc;
  const auto tokens = oidc.exchange(oidc.code_for(oidc.browser_session("ana"))).json();
  const std::string access = tokens.at("access_token");
  const std::string old_kid = jwt_part(access, 0).at("kid");
  std::string output;
  ASSERT_EQ(oidc.server().process().run_cli({"oidc", "rotate-keys"}, &output), 0) << output;
  // Rotated: once the server has read the kept keys again (a JWKS request makes it), new
  // tokens get the new key, and the old one stays published while its tokens live.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (oidc.http().get("/oidc/jwks").json().at("keys").size() < 4 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const auto next = oidc.exchange(oidc.code_for(oidc.browser_session("ana"))).json();
  EXPECT_NE(jwt_part(next.at("access_token"), 0).at("kid"), old_kid);
  EXPECT_TRUE(jwks_publishes_eventually(oidc.http(), old_kid, true));
  EXPECT_EQ(oidc.userinfo(access).status, 200);
  // Its time is up (what the clock does once the longest token lifetime has passed): the kept
  // ring says so, and the provider drops the key.
  const std::string select = "SELECT value FROM settings WHERE \"key\" = 'oidc_signing_keys'";
  auto ring = nlohmann::json::parse(query_sql(oidc.server().process(), select));
  for (auto& key : ring.at("keys")) {
    if (!key.at("current").get<bool>()) key["retire_at"] = 1;
  }
  run_sql(oidc.server().process(), "UPDATE settings SET value = '" + ring.dump() +
                                       "' WHERE \"key\" = 'oidc_signing_keys'");
  ASSERT_FALSE(jwks_publishes_eventually(oidc.http(), old_kid, false));
  EXPECT_EQ(oidc.userinfo(access).status, 401);
  EXPECT_EQ(oidc.introspect(access).json().at("active"), false);
  const auto logout = oidc.http().get("/oidc/logout?id_token_hint=" +
                                      tokens.at("id_token").get<std::string>());
  EXPECT_EQ(logout.status, 400) << "an ID token of a removed key is no hint";
  EXPECT_EQ(oidc.userinfo(next.at("access_token")).status, 200);
}

TEST(OidcFlow, AnExpiredAccessTokenIsRefused) {
  OidcServer oidc;
  const auto tokens = oidc.exchange(oidc.code_for(oidc.browser_session("ana"))).json();
  // The provider's own claims and key, with only the expiry moved (a test cannot wait out the
  // shortest lifetime, 30 s).
  nlohmann::json claims = jwt_payload(tokens.at("access_token"));
  const auto keys = keys_kept_by(oidc.server().process());
  const auto with_expiry = [&](long long exp, const char* jti) {
    claims["exp"] = exp;
    claims["jti"] = jti;
    const auto token = keys->sign(claims, "at+jwt");
    EXPECT_TRUE(token.has_value());
    return token.value_or("");
  };
  const long long issued = claims.at("iat").get<long long>();
  const std::string expired = with_expiry(issued - 1, "expired-1");
  EXPECT_EQ(oidc.userinfo(expired).status, 401);
  EXPECT_EQ(oidc.introspect(expired).json().at("active"), false);
  EXPECT_EQ(oidc.userinfo(with_expiry(issued + 60, "live-1")).status, 200) << "only exp differs";
}

TEST(OidcFlow, OffMeansNotFound) {
  ControlsServer plain;
  EXPECT_EQ(plain.http().get("/oidc/authorize?client_id=x").status, 404);
  EXPECT_EQ(plain.http().post_raw("/oidc/token", "grant_type=client_credentials", {kOidcForm}).status, 404);
}

// A grant made on one node ends on every node: the refresh token of a user who signed out
// on A is refused by B at once (the database deletes it with the session).
TEST(OidcNodes, ALoggedOutUsersRefreshTokenIsRefusedOnAnotherNode) {
  OidcServer a;
  Env b_env = OidcServer::with_oidc(same_database_as(a.server().process()));
  ServerProcess b(b_env);
  b.start();
  HttpClient on_b(b.base_url());
  const std::string cookie = a.browser_session("ana");
  const auto tokens = a.tokens_with_refresh(cookie);
  const auto form = [&](const std::string& refresh_token) {
    return form_encode({{"grant_type", "refresh_token"},
                        {"refresh_token", refresh_token},
                        {"client_id", a.client().id},
                        {"client_secret", a.client().secret}});
  };
  const auto on_other_node = on_b.post_raw("/oidc/token", form(tokens.at("refresh_token")), {kOidcForm});
  ASSERT_EQ(on_other_node.status, 200) << on_other_node.body;
  const std::string next = on_other_node.json().at("refresh_token");
  remember_secret(next);
  ASSERT_EQ(a.http().post_raw("/logout", "", {kOidcForm, cookie, "Origin: " + a.origin()}).status, 303);
  const auto refused = on_b.post_raw("/oidc/token", form(next), {kOidcForm});
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.json().at("error"), "invalid_grant");
  EXPECT_EQ(b.stop(), 0);
}

}  // namespace
}  // namespace automation::testing
