// The OpenID Connect provider (issue 27) with a real relying party: Debian's python3-authlib
// (tests/oidc/authlib_rp.py) signs a user in through the service's login page by the
// authorization code flow with PKCE, validates the ID token against the published JWKS,
// refreshes (rotation and reuse detection), uses client_credentials, introspects and revokes,
// and is refused where it must be. Authlib's client classes check the protocol, never the
// project's code. The clients are registered as an operator does, with
// `automation oidc client add ... --json`.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

constexpr const char* kOidcPython = "/usr/bin/python3";
constexpr const char* kOidcRpScript = AUTOMATION_OIDC_RP_SCRIPT;
constexpr const char* kOidcUser = "oidc_ana";
constexpr const char* kOidcUserPassword = "Oidc-Ana-Passw0rd-long";
// Never contacted: the relying party reads the code from the Location header.
constexpr const char* kOidcRedirectUri = "http://127.0.0.1:9/authlib/callback";
constexpr const char* kOidcPostLogoutUri = "http://127.0.0.1:9/authlib/signed-out";

bool authlib_available() {
  // Appended piece by piece: g++ 12 at -O2 warns falsely (-Warray-bounds) on a chain of `+`.
  std::string command = kOidcPython;
  command += " -c 'import authlib, requests' 2>/dev/null";
  return std::system(command.c_str()) == 0;
}

// 'text' for a POSIX shell.
std::string oidc_shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  quoted += '\'';
  return quoted;
}

// The last line of `output` that is a JSON object (a command's log lines may precede it).
nlohmann::json oidc_last_json_line(const std::string& output) {
  std::size_t end = output.size();
  while (end > 0) {
    const std::size_t start = output.rfind('\n', end - 1);
    const std::size_t from = start == std::string::npos ? 0 : start + 1;
    const std::string line = output.substr(from, end - from);
    if (!line.empty() && line.front() == '{') {
      // One line, or an object printed over several lines that ends the output.
      for (const std::string& text : {line, output.substr(from)}) {
        auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (!parsed.is_discarded()) return parsed;
      }
    }
    if (start == std::string::npos) break;
    end = start;
  }
  return nlohmann::json::object();
}

// `object[key]` when it is there, else an empty object (so that `.value()` and further lookups
// stay safe when a run failed and printed less).
const nlohmann::json& oidc_field(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  if (!object.is_object()) return kEmpty;
  const auto found = object.find(key);
  return found == object.end() || !found->is_object() ? kEmpty : *found;
}

// The one audience of an ID token ("aud" as a string or a one-element array).
std::string oidc_single_audience(const nlohmann::json& claims) {
  const auto aud = claims.value("aud", nlohmann::json());
  if (aud.is_string()) return aud.get<std::string>();
  if (aud.is_array() && aud.size() == 1 && aud[0].is_string()) return aud[0].get<std::string>();
  return aud.dump();
}

struct OidcClient {
  std::string id;
  std::string secret;  // "" for a public client
};

struct RpRun {
  int exit_code = -1;
  nlohmann::json result;  // what the script printed (its last JSON line)
};

class OidcRelyingParty : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!authlib_available()) return;  // each test skips (or fails under CI)
    // The issuer is the server's own base URL, whose port is picked at start.
    server_ = std::make_unique<ServerProcess>(
        std::map<std::string, std::string>{
            {"AUTOMATION_OIDC_ENABLED", "true"},
            {"AUTOMATION_OIDC_ISSUER", std::string("http://127.0.0.1:") + kServerPortPlaceholder}},
        TestBackend::kSqlite);
    server_->start();
    HttpClient http(server_->base_url());
    const std::string system = login_as_system(http);
    remember_secret(kOidcUserPassword);
    const auto signup =
        http.post("/api/users/signup",
                  nlohmann::json{{"username", kOidcUser},
                                 {"email", std::string(kOidcUser) + "@plant.example"},
                                 {"password", kOidcUserPassword},
                                 {"name", "Ana"},
                                 {"lastname", "Lopez"},
                                 {"role_name", "operator"}},
                  api_key(system));
    if (signup.status != 200) throw std::runtime_error("signup failed: " + signup.body);
    user_ = new nlohmann::json(signup.json());
    confidential_ =
        new OidcClient(add_client({"--name", "authlib", "--redirect-uri", kOidcRedirectUri,
                                   "--post-logout-redirect-uri", kOidcPostLogoutUri}));
    public_ = new OidcClient(
        add_client({"--name", "authlib-public", "--redirect-uri", kOidcRedirectUri, "--public"}));
    machine_ = new OidcClient(add_client({"--name", "historian", "--grant", "client_credentials"}));
  }

  static void TearDownTestSuite() {
    if (server_) {
      const std::string log = server_->log();
      for (const OidcClient* client : {confidential_, public_, machine_}) {
        if (client != nullptr && !client->secret.empty()) {
          EXPECT_EQ(log.find(client->secret), std::string::npos) << "a client secret in the log";
        }
      }
      expect_no_secrets(log, "the server log");
      EXPECT_EQ(server_->stop(), 0);
      server_.reset();
    }
    delete user_;
    delete confidential_;
    delete public_;
    delete machine_;
    user_ = nullptr;
    confidential_ = public_ = machine_ = nullptr;
  }

  void SetUp() override {
    if (!authlib_available()) {
      if (std::getenv("CI") != nullptr)
        FAIL() << "python3-authlib (or python3-requests) is missing";
      GTEST_SKIP() << "python3-authlib (or python3-requests) is not installed";
    }
    ASSERT_TRUE(server_ && confidential_ && public_ && machine_);
  }

  // `automation oidc client add <args> --json` on the server's database.
  static OidcClient add_client(std::vector<std::string> args) {
    std::vector<std::string> command = {"oidc", "client", "add"};
    command.insert(command.end(), args.begin(), args.end());
    command.push_back("--json");
    std::string output;
    const int exit_code = server_->run_cli(command, &output);
    const nlohmann::json answer = oidc_last_json_line(output);
    if (exit_code != 0 || !answer.is_object() || !answer.contains("client_id")) {
      throw std::runtime_error("oidc client add failed (" + std::to_string(exit_code) +
                               "): " + output);
    }
    OidcClient client;
    client.id = answer.at("client_id").get<std::string>();
    if (answer.contains("client_secret") && answer.at("client_secret").is_string()) {
      client.secret = answer.at("client_secret").get<std::string>();
      remember_secret(client.secret);
    }
    return client;
  }

  // Runs `authlib_rp.py <command> <options>` as `client`, the user signing in with their
  // password; `env` overrides the OIDC_RP_* settings.
  static RpRun run_rp(const std::string& command, const OidcClient& client,
                      const std::vector<std::string>& options = {},
                      const std::map<std::string, std::string>& env = {}) {
    std::map<std::string, std::string> settings = {
        {"OIDC_RP_ISSUER", server_->base_url()},
        {"OIDC_RP_CLIENT_ID", client.id},
        {"OIDC_RP_CLIENT_SECRET", client.secret},
        {"OIDC_RP_REDIRECT_URI", kOidcRedirectUri},
        {"OIDC_RP_POST_LOGOUT_REDIRECT_URI", kOidcPostLogoutUri},
        {"OIDC_RP_USERNAME", kOidcUser},
        {"OIDC_RP_PASSWORD", kOidcUserPassword},
    };
    for (const auto& [key, value] : env) settings[key] = value;
    std::string line = "env";
    for (const auto& [key, value] : settings) line += " " + key + "=" + oidc_shell_quoted(value);
    line += " ";
    line += kOidcPython;
    line += " ";
    line += oidc_shell_quoted(kOidcRpScript);
    line += " " + oidc_shell_quoted(command);
    for (const auto& option : options) line += " " + oidc_shell_quoted(option);
    RpRun run;
    FILE* pipe = ::popen(line.c_str(), "r");
    if (pipe == nullptr) return run;
    std::string output;
    char buffer[4096];
    std::size_t read = 0;
    while ((read = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, read);
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.result = oidc_last_json_line(output);
    return run;
  }

  static std::string issuer() { return server_->base_url(); }

  static std::unique_ptr<ServerProcess> server_;
  static nlohmann::json* user_;
  static OidcClient* confidential_;
  static OidcClient* public_;
  static OidcClient* machine_;
};

std::unique_ptr<ServerProcess> OidcRelyingParty::server_;
nlohmann::json* OidcRelyingParty::user_ = nullptr;
OidcClient* OidcRelyingParty::confidential_ = nullptr;
OidcClient* OidcRelyingParty::public_ = nullptr;
OidcClient* OidcRelyingParty::machine_ = nullptr;

// What a run must show: exit 0 and "ok": true (the script's checks held).
#define EXPECT_RP_OK(run)                                \
  EXPECT_EQ((run).exit_code, 0) << (run).result.dump(2); \
  EXPECT_TRUE((run).result.value("ok", false)) << (run).result.dump(2)

TEST_F(OidcRelyingParty, DiscoveryIsValidForAuthlibAndNamesTheIssuer) {
  const RpRun run = run_rp("discovery", *confidential_);
  EXPECT_RP_OK(run);
  const auto& metadata = oidc_field(run.result, "metadata");
  EXPECT_EQ(metadata.value("issuer", ""), issuer());
  EXPECT_EQ(metadata.value("authorization_endpoint", ""), issuer() + "/oidc/authorize");
  EXPECT_EQ(metadata.value("token_endpoint", ""), issuer() + "/oidc/token");
  EXPECT_EQ(metadata.value("userinfo_endpoint", ""), issuer() + "/oidc/userinfo");
  EXPECT_EQ(metadata.value("jwks_uri", ""), issuer() + "/oidc/jwks");
  EXPECT_EQ(metadata.value("introspection_endpoint", ""), issuer() + "/oidc/introspect");
  EXPECT_EQ(metadata.value("revocation_endpoint", ""), issuer() + "/oidc/revoke");
  EXPECT_EQ(metadata.value("end_session_endpoint", ""), issuer() + "/oidc/logout");
  const auto has = [&](const char* key, const char* value) {
    const auto& list = metadata.value(key, nlohmann::json::array());
    return std::find(list.begin(), list.end(), value) != list.end();
  };
  EXPECT_TRUE(has("code_challenge_methods_supported", "S256")) << metadata;
  EXPECT_FALSE(has("code_challenge_methods_supported", "plain")) << metadata;
  EXPECT_TRUE(has("id_token_signing_alg_values_supported", "RS256")) << metadata;
  for (const char* scope : {"openid", "profile", "email", "roles", "offline_access"}) {
    EXPECT_TRUE(has("scopes_supported", scope)) << scope << ": " << metadata;
  }
  for (const char* method : {"client_secret_basic", "client_secret_post", "none"}) {
    EXPECT_TRUE(has("token_endpoint_auth_methods_supported", method)) << method;
  }
  for (const char* grant : {"authorization_code", "refresh_token", "client_credentials"}) {
    EXPECT_TRUE(has("grant_types_supported", grant)) << grant;
  }
  EXPECT_FALSE(run.result.value("kids", nlohmann::json::array()).empty());
}

TEST_F(OidcRelyingParty, AnEs256ClientsIdTokenIsValidatedByAuthlib) {
  const OidcClient es256 = add_client({"--name", "authlib-es256", "--redirect-uri",
                                       kOidcRedirectUri, "--id-token-alg", "ES256"});
  const RpRun run = run_rp("code-flow", es256);
  EXPECT_RP_OK(run);
  EXPECT_EQ(oidc_field(oidc_field(run.result, "id_token"), "header").value("alg", ""), "ES256");
}

TEST_F(OidcRelyingParty, CodeFlowWithPkceSignsInThroughTheLoginPage) {
  const RpRun run = run_rp("code-flow", *confidential_);
  ASSERT_EQ(run.exit_code, 0) << run.result.dump(2);
  EXPECT_EQ(run.result.value("login_forms", -1), 1) << "the password form once";
  EXPECT_EQ(oidc_field(run.result, "authorization_response").value("iss", ""), issuer());

  const auto& id_header = oidc_field(oidc_field(run.result, "id_token"), "header");
  EXPECT_EQ(id_header.value("alg", ""), "RS256");
  const auto& id = oidc_field(oidc_field(run.result, "id_token"), "claims");
  EXPECT_EQ(id.value("iss", ""), issuer());
  EXPECT_EQ(oidc_single_audience(id), confidential_->id);
  EXPECT_EQ(id.value("sub", ""), user_->value("identifier", "")) << "sub: the stable identifier";
  EXPECT_EQ(id.value("preferred_username", ""), kOidcUser);
  EXPECT_EQ(id.value("email", ""), std::string(kOidcUser) + "@plant.example");
  EXPECT_EQ(id.value("name", ""), "Ana Lopez");
  EXPECT_EQ(id.value("roles", nlohmann::json()),
            nlohmann::json::array({(*user_)["role"].value("name", "")}));
  EXPECT_EQ(id.value("role_level", -1), (*user_)["role"].value("level", -2));
  EXPECT_TRUE(id.contains("auth_time") && id["auth_time"].is_number()) << id;
  EXPECT_TRUE(id.contains("amr") && id["amr"].is_array() && !id["amr"].empty()) << id;
  EXPECT_TRUE(id.contains("sid") && id["sid"].is_string()) << id;
  EXPECT_TRUE(id.contains("nonce")) << id;
  EXPECT_LE(id.value("exp", 0) - id.value("iat", 0), 3600) << "a short-lived ID token";

  const auto& access_header = oidc_field(oidc_field(run.result, "access_token"), "header");
  EXPECT_EQ(access_header.value("typ", ""), "at+jwt");
  const auto& access = oidc_field(oidc_field(run.result, "access_token"), "claims");
  EXPECT_EQ(access.value("sub", ""), id.value("sub", "x"));
  EXPECT_EQ(access.value("client_id", ""), confidential_->id);
  EXPECT_TRUE(access.contains("jti") && access.contains("iat")) << access;

  const auto& userinfo = oidc_field(run.result, "userinfo");
  EXPECT_EQ(userinfo.value("sub", ""), id.value("sub", "x"));
  EXPECT_EQ(userinfo.value("preferred_username", ""), kOidcUser);
  EXPECT_EQ(userinfo.value("roles", nlohmann::json()), id.value("roles", nlohmann::json()));

  const auto& token = oidc_field(run.result, "token_response");
  EXPECT_FALSE(token.value("has_refresh_token", true)) << "no offline_access, no refresh token";
  EXPECT_GT(token.value("expires_in", 0), 0);
}

TEST_F(OidcRelyingParty, ScopesDecideTheClaims) {
  const RpRun run = run_rp("code-flow", *confidential_, {"--scope", "openid"});
  ASSERT_EQ(run.exit_code, 0) << run.result.dump(2);
  const auto& id = oidc_field(oidc_field(run.result, "id_token"), "claims");
  EXPECT_EQ(id.value("sub", ""), user_->value("identifier", ""));
  for (const char* claim : {"email", "roles", "role_level", "preferred_username"}) {
    EXPECT_FALSE(id.contains(claim)) << claim << " without its scope: " << id;
    EXPECT_FALSE(oidc_field(run.result, "userinfo").contains(claim)) << claim << " in userinfo";
  }
}

TEST_F(OidcRelyingParty, ClientSecretPostAndPublicClientsExchangeCodes) {
  const RpRun post = run_rp("code-flow", *confidential_, {"--auth-method", "client_secret_post"});
  EXPECT_RP_OK(post);
  const RpRun open = run_rp("code-flow", *public_, {"--auth-method", "none"});
  EXPECT_RP_OK(open);
  EXPECT_EQ(oidc_single_audience(oidc_field(oidc_field(open.result, "id_token"), "claims")),
            public_->id);
}

TEST_F(OidcRelyingParty, AWrongSecretIsInvalidClient) {
  const RpRun run = run_rp("code-flow", *confidential_, {},
                           {{"OIDC_RP_CLIENT_SECRET", "not-the-secret-0123456789"}});
  EXPECT_EQ(run.exit_code, 1) << run.result.dump(2);
  EXPECT_EQ(run.result.value("step", ""), "token");
  EXPECT_EQ(run.result.value("error", ""), "invalid_client");
}

TEST_F(OidcRelyingParty, SingleSignOnPromptLoginMaxAgeAndPromptNone) {
  const RpRun run = run_rp("sso", *confidential_);
  EXPECT_RP_OK(run);
  EXPECT_EQ(oidc_field(run.result, "prompt_none_without_session").value("error", ""),
            "login_required");
  const auto& amr =
      oidc_field(oidc_field(oidc_field(run.result, "prompt_login"), "id_token"), "claims")
          .value("amr", nlohmann::json());
  EXPECT_NE(amr.dump().find("pwd"), std::string::npos) << "a password sign-in: " << amr;
}

TEST_F(OidcRelyingParty, RefreshTokensRotateAndAReuseRevokesTheFamily) {
  const RpRun run = run_rp("refresh", *confidential_);
  EXPECT_RP_OK(run);
  EXPECT_EQ(run.result.value("reuse_error", ""), "invalid_grant");
  EXPECT_EQ(run.result.value("newest_after_reuse_error", ""), "invalid_grant");
  EXPECT_TRUE(oidc_field(run.result, "token_response").value("has_refresh_token", false));
}

TEST_F(OidcRelyingParty, ClientCredentialsForMachineClientsOnly) {
  const RpRun machine = run_rp("client-credentials", *machine_);
  EXPECT_RP_OK(machine);
  EXPECT_EQ(oidc_field(oidc_field(machine.result, "access_token"), "claims").value("sub", ""),
            machine_->id);
  EXPECT_TRUE(oidc_field(machine.result, "introspection").value("active", false));
  // A client registered for the code flow only may not use the grant.
  const RpRun refused = run_rp("client-credentials", *confidential_);
  EXPECT_EQ(refused.exit_code, 1) << refused.result.dump(2);
  EXPECT_EQ(refused.result.value("error", ""), "unauthorized_client");
}

TEST_F(OidcRelyingParty, IntrospectionAnswersAuthenticatedClientsOnly) {
  const RpRun run = run_rp("introspect", *confidential_);
  EXPECT_RP_OK(run);
  const auto& access = oidc_field(run.result, "access_token");
  EXPECT_TRUE(access.value("active", false));
  EXPECT_EQ(access.value("sub", ""), user_->value("identifier", ""));
  EXPECT_TRUE(access.contains("exp") && access.contains("scope")) << access;
  EXPECT_EQ(oidc_field(run.result, "unknown_token"), nlohmann::json({{"active", false}}));
  EXPECT_EQ(run.result.value("without_client_authentication", 0), 401);
}

TEST_F(OidcRelyingParty, RevocationEndsRefreshAndAccessTokens) {
  const RpRun run = run_rp("revoke", *confidential_);
  EXPECT_RP_OK(run);
  EXPECT_EQ(run.result.value("refresh_after_revocation_error", ""), "invalid_grant");
  EXPECT_EQ(run.result.value("userinfo_after", 0), 401);
}

TEST_F(OidcRelyingParty, AWrongVerifierIsRefused) {
  const RpRun run = run_rp("wrong-verifier", *confidential_);
  EXPECT_RP_OK(run);
  EXPECT_EQ(run.result.value("error", ""), "invalid_grant");
}

TEST_F(OidcRelyingParty, AReusedCodeIsRefused) {
  const RpRun run = run_rp("reused-code", *confidential_);
  EXPECT_RP_OK(run);
  EXPECT_EQ(run.result.value("error", ""), "invalid_grant");
}

TEST_F(OidcRelyingParty, UnregisteredRedirectUrisAreNeverFollowed) {
  const RpRun run = run_rp("bad-redirect", *confidential_);
  EXPECT_RP_OK(run);
}

TEST_F(OidcRelyingParty, PkceWithS256IsRequired) {
  const RpRun run = run_rp("no-pkce", *confidential_);
  EXPECT_RP_OK(run);
  const RpRun open = run_rp("no-pkce", *public_, {"--auth-method", "none"});
  EXPECT_RP_OK(open);
}

TEST_F(OidcRelyingParty, RpInitiatedLogoutEndsTheServiceSession) {
  const RpRun run = run_rp("logout", *confidential_);
  EXPECT_RP_OK(run);
  EXPECT_EQ(oidc_field(run.result, "prompt_none_after_logout").value("error", ""),
            "login_required");
  // Without an id_token_hint and with no session left to end (the browser signed out just
  // before), nothing is asked: the browser goes back to the registered address. (With a
  // session, the provider asks first: OidcFlow.RpInitiatedLogoutEndsTheSessionOnlyForTheHintedUser.)
  EXPECT_TRUE(oidc_field(run.result, "without_hint").value("redirected", false));
}

}  // namespace
}  // namespace automation::testing
