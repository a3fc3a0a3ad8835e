// The OpenID Connect provider's keys and metadata on the real server (docs/oidc.md): discovery
// and JWKS when on, 404 when off; tokens signed with the keys the server keeps in its
// database checked by PyJWT against the server's JWKS (an outside verifier, not our code);
// `automation oidc rotate-keys`; key files and their mode. SQLite only: the kept ring's SQL
// (one settings row, compare-and-set) runs on every engine in the store contract suite.

#include <sys/stat.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api_fixture.hpp"
#include "oidc_kept_keys.hpp"
#include "automation/app/oidc_key_source.hpp"
#include "automation/app/system_clock.hpp"
#include "automation/oidc/key_set.hpp"
#include "automation/oidc/oidc_keys.hpp"
#include "automation/oidc/signing_key.hpp"
#include "automation/storage/database.hpp"
#include "automation/storage/sql_settings_store.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

const std::map<std::string, std::string> kOidcOn = {{"AUTOMATION_OIDC_ENABLED", "true"}};

// PyJWT (Debian's python3-jwt) fetches the JWKS from the server and checks each token with
// the key its kid names, RS256 and ES256 only; prints one JSON line per token.
constexpr const char* kPyJwtCheck = R"PY(
import json, sys, jwt
client = jwt.PyJWKClient(sys.argv[1], cache_keys=False, cache_jwk_set=False)
for token in sys.argv[2:]:
    key = client.get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS256", "ES256"], audience="pyjwt-check")
    print(json.dumps({"kid": key.key_id, "alg": jwt.get_unverified_header(token)["alg"],
                      "sub": claims["sub"]}))
)PY";

// A scratch directory for the script and key files.
class OidcScratchDir {
 public:
  OidcScratchDir() {
    char pattern[] = "/tmp/automation-oidc-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~OidcScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string& name, const std::string& contents, mode_t mode) const {
    const std::string path = (path_ / name).string();
    std::ofstream(path, std::ios::binary | std::ios::trunc) << contents;
    ::chmod(path.c_str(), mode);
    return path;
  }

 private:
  std::filesystem::path path_;
};

// Runs a command; its exit code and what it printed (stdout and stderr).
int oidc_run(const std::string& command, std::string& output) {
  output.clear();
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 512> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) output += buffer.data();
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::set<std::string> jwks_kids(const json& jwks) {
  std::set<std::string> kids;
  for (const json& key : jwks.at("keys")) kids.insert(key.at("kid").get<std::string>());
  return kids;
}

std::string signed_token(const oidc::OidcKeySet& keys, const char* alg, const std::string& sub) {
  const long long now = std::time(nullptr);
  auto token = keys.sign(json{{"iss", "test"}, {"sub", sub}, {"aud", "pyjwt-check"},
                              {"iat", now}, {"exp", now + 300}},
                         "JWT", alg);
  EXPECT_TRUE(token.has_value());
  return token.value_or("");
}

// What PyJWT says of `tokens` against the server's JWKS: one JSON object per token.
std::vector<json> pyjwt_check(const ServerProcess& server, const std::vector<std::string>& tokens) {
  OidcScratchDir dir;
  const std::string script = dir.file("check.py", kPyJwtCheck, 0600);
  std::string command = "/usr/bin/python3 " + script + " " + server.base_url() + "/oidc/jwks";
  for (const std::string& token : tokens) command += " " + token;  // base64url and dots only
  std::string output;
  const int code = oidc_run(command, output);
  EXPECT_EQ(code, 0) << output;
  std::vector<json> results;
  std::size_t start = 0;
  while (code == 0 && start < output.size()) {
    const auto end = output.find('\n', start);
    results.push_back(json::parse(output.substr(start, end - start)));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return results;
}

TEST(OidcDiscovery, OffByDefaultEveryPathAnswers404AndNoKeyIsMade) {
  ServerProcess server({}, TestBackend::kSqlite);
  server.start();
  HttpClient http(server.base_url());
  for (const char* path : {"/.well-known/openid-configuration", "/oidc/jwks", "/oidc/authorize"}) {
    EXPECT_EQ(http.get(path).status, 404) << path;
  }
  EXPECT_EQ(query_sql(server, "SELECT COUNT(*) FROM settings WHERE \"key\" = 'oidc_signing_keys'"),
            "0");
  std::string output;
  EXPECT_EQ(server.run_cli({"oidc", "rotate-keys"}, &output), 1);
  EXPECT_NE(output.find("AUTOMATION_OIDC_ENABLED"), std::string::npos) << output;
  EXPECT_EQ(server.stop(), 0);
}

TEST(OidcDiscovery, PublishesTheMetadataAndOneRsaAndOneEcKey) {
  ServerProcess server(kOidcOn, TestBackend::kSqlite);
  server.start();
  HttpClient http(server.base_url());
  const auto discovery = http.get("/.well-known/openid-configuration");
  ASSERT_EQ(discovery.status, 200) << discovery.body;
  EXPECT_NE(discovery.header("content-type").find("application/json"), std::string::npos);
  const json meta = discovery.json();
  // Unset, the issuer is the listener's address (the server listens on 127.0.0.1 here).
  const std::string issuer = server.base_url();
  EXPECT_EQ(meta.at("issuer"), issuer);
  EXPECT_EQ(meta.at("authorization_endpoint"), issuer + "/oidc/authorize");
  EXPECT_EQ(meta.at("token_endpoint"), issuer + "/oidc/token");
  EXPECT_EQ(meta.at("userinfo_endpoint"), issuer + "/oidc/userinfo");
  EXPECT_EQ(meta.at("jwks_uri"), issuer + "/oidc/jwks");
  EXPECT_EQ(meta.at("revocation_endpoint"), issuer + "/oidc/revoke");
  EXPECT_EQ(meta.at("introspection_endpoint"), issuer + "/oidc/introspect");
  EXPECT_EQ(meta.at("end_session_endpoint"), issuer + "/oidc/logout");
  EXPECT_EQ(meta.at("response_types_supported"), json({"code"}));
  EXPECT_EQ(meta.at("response_modes_supported"), json({"query"}));
  EXPECT_EQ(meta.at("grant_types_supported"),
            json({"authorization_code", "refresh_token", "client_credentials"}));
  EXPECT_EQ(meta.at("subject_types_supported"), json({"public"}));
  EXPECT_EQ(meta.at("id_token_signing_alg_values_supported"), json({"RS256", "ES256"}));
  EXPECT_EQ(meta.at("token_endpoint_auth_methods_supported"),
            json({"client_secret_basic", "client_secret_post", "none"}));
  EXPECT_EQ(meta.at("revocation_endpoint_auth_methods_supported"),
            json({"client_secret_basic", "client_secret_post"}));
  EXPECT_EQ(meta.at("introspection_endpoint_auth_methods_supported"),
            json({"client_secret_basic", "client_secret_post"}));
  EXPECT_EQ(meta.at("code_challenge_methods_supported"), json({"S256"}));
  EXPECT_EQ(meta.at("scopes_supported"),
            json({"openid", "profile", "email", "roles", "offline_access"}));
  for (const char* claim : {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "sid",
                            "preferred_username", "name", "email", "roles", "role_level"}) {
    EXPECT_NE(std::find(meta.at("claims_supported").begin(), meta.at("claims_supported").end(),
                        claim),
              meta.at("claims_supported").end())
        << claim;
  }

  const auto jwks = http.get("/oidc/jwks");
  ASSERT_EQ(jwks.status, 200) << jwks.body;
  EXPECT_NE(jwks.header("content-type").find("application/json"), std::string::npos);
  EXPECT_NE(jwks.header("cache-control").find("max-age=300"), std::string::npos)
      << jwks.header("cache-control");
  const json body = jwks.json();
  const json& keys = body.at("keys");
  ASSERT_EQ(keys.size(), 2u) << jwks.body;
  std::set<std::string> types;
  for (const json& key : keys) {
    types.insert(key.at("kty").get<std::string>());
    EXPECT_EQ(key.at("use"), "sig");
    EXPECT_FALSE(key.contains("d")) << "a private part is published";
    EXPECT_EQ(key.at("kid"), oidc::jwk_thumbprint(key));
  }
  EXPECT_EQ(types, (std::set<std::string>{"RSA", "EC"}));
  EXPECT_EQ(jwks_kids(jwks.json()).size(), 2u);
  // Generated and kept in the database: one warning says so.
  EXPECT_NE(server.log().find("AUTOMATION_OIDC_RSA_KEY_FILE and AUTOMATION_OIDC_EC_KEY_FILE are "
                              "not set"),
            std::string::npos)
      << server.log();
  EXPECT_EQ(server.log().find("PRIVATE KEY"), std::string::npos);
  // Restarted, it keeps its keys.
  ASSERT_EQ(server.stop(), 0);
  server.start();
  EXPECT_EQ(jwks_kids(HttpClient(server.base_url()).get("/oidc/jwks").json()),
            jwks_kids(jwks.json()));
  EXPECT_EQ(server.stop(), 0);
}

TEST(OidcDiscovery, TheIssuerSettingNamesEveryEndpoint) {
  ServerProcess server({{"AUTOMATION_OIDC_ENABLED", "true"},
                        {"AUTOMATION_OIDC_ISSUER", "https://idp.plant.local/sso"}},
                       TestBackend::kSqlite);
  server.start();
  const json meta = HttpClient(server.base_url()).get("/.well-known/openid-configuration").json();
  EXPECT_EQ(meta.at("issuer"), "https://idp.plant.local/sso");
  EXPECT_EQ(meta.at("jwks_uri"), "https://idp.plant.local/sso/oidc/jwks");
  EXPECT_EQ(meta.at("token_endpoint"), "https://idp.plant.local/sso/oidc/token");
  EXPECT_EQ(server.stop(), 0);

  ServerProcess slash({{"AUTOMATION_OIDC_ENABLED", "true"},
                       {"AUTOMATION_OIDC_ISSUER", "https://idp.plant.local/"}},
                      TestBackend::kSqlite);
  EXPECT_EQ(slash.run_expecting_exit(), 2);
  EXPECT_NE(slash.log().find("AUTOMATION_OIDC_ISSUER"), std::string::npos) << slash.log();
  EXPECT_TRUE(slash.database_untouched());
}

// The keys kept in the database sign tokens PyJWT accepts from the server's JWKS; after
// `rotate-keys` the JWKS lists the new and the old keys, an old token still verifies, and new
// tokens carry the new kid.
TEST(OidcKeysAtRest, KeptKeysSignWhatPyJwtAcceptsAcrossARotation) {
  ServerProcess server(kOidcOn, TestBackend::kSqlite);
  server.start();
  HttpClient http(server.base_url());
  const std::set<std::string> first_kids = jwks_kids(http.get("/oidc/jwks").json());

  const auto before = keys_kept_by(server);
  EXPECT_EQ(jwks_kids(before->jwks()), first_kids);
  const std::string old_rs = signed_token(*before, "RS256", "before-rs");
  const std::string old_es = signed_token(*before, "ES256", "before-es");
  auto checked = pyjwt_check(server, {old_rs, old_es});
  ASSERT_EQ(checked.size(), 2u);
  EXPECT_EQ(checked[0], (json{{"kid", before->current_kid("RS256")}, {"alg", "RS256"},
                              {"sub", "before-rs"}}));
  EXPECT_EQ(checked[1], (json{{"kid", before->current_kid("ES256")}, {"alg", "ES256"},
                              {"sub", "before-es"}}));

  std::string output;
  ASSERT_EQ(server.run_cli({"oidc", "rotate-keys"}, &output), 0) << output;
  EXPECT_NE(output.find(before->current_kid("RS256")), std::string::npos) << output;
  EXPECT_EQ(output.find("PRIVATE KEY"), std::string::npos);
  const auto after = keys_kept_by(server);
  EXPECT_NE(after->current_kid("RS256"), before->current_kid("RS256"));
  EXPECT_NE(after->current_kid("ES256"), before->current_kid("ES256"));
  std::set<std::string> all_kids = first_kids;
  all_kids.insert(after->current_kid("RS256"));
  all_kids.insert(after->current_kid("ES256"));
  EXPECT_EQ(jwks_kids(after->jwks()), all_kids);

  // The server reads the kept keys again for a JWKS request once its copy is a second old
  // (OidcKeys' rate limit): ask until it shows the rotation, within a bound.
  std::set<std::string> served;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    served = jwks_kids(http.get("/oidc/jwks").json());
    if (served == all_kids) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(served, all_kids);

  const std::string new_rs = signed_token(*after, "RS256", "after-rs");
  const std::string new_es = signed_token(*after, "ES256", "after-es");
  EXPECT_EQ(oidc::OidcKeySet::kid_of(new_rs), after->current_kid("RS256"));
  checked = pyjwt_check(server, {old_rs, old_es, new_rs, new_es});
  ASSERT_EQ(checked.size(), 4u);
  EXPECT_EQ(checked[0].at("kid"), before->current_kid("RS256"));
  EXPECT_EQ(checked[1].at("kid"), before->current_kid("ES256"));
  EXPECT_EQ(checked[2].at("kid"), after->current_kid("RS256"));
  EXPECT_EQ(checked[3].at("kid"), after->current_kid("ES256"));
  // Our own verifier agrees, and the rotation is on the audit trail.
  EXPECT_TRUE(after->verify(old_rs).has_value());
  EXPECT_EQ(query_sql(server, "SELECT COUNT(*) FROM audit_events WHERE event = 'oidc_rotate_keys'"
                              " AND outcome = 'success' AND actor = 'cli'"),
            "1");
  EXPECT_EQ(server.stop(), 0);
}

TEST(OidcKeysAtRest, KeyFilesAreUsedAndRefusedWhenOthersCanReadThem) {
  OidcScratchDir dir;
  auto rsa = oidc::OidcSigningKey::generate(oidc::JwsAlgorithm::kRs256);
  auto ec = oidc::OidcSigningKey::generate(oidc::JwsAlgorithm::kEs256);
  ASSERT_TRUE(rsa && ec);
  const std::string rsa_file = dir.file("rsa.pem", *rsa->private_pem(), 0600);
  const std::string ec_file = dir.file("ec.pem", *ec->private_pem(), 0644);
  const std::map<std::string, std::string> with_files = {
      {"AUTOMATION_OIDC_ENABLED", "true"},
      {"AUTOMATION_OIDC_RSA_KEY_FILE", rsa_file},
      {"AUTOMATION_OIDC_EC_KEY_FILE", ec_file}};

  ServerProcess refused(with_files, TestBackend::kSqlite);
  EXPECT_EQ(refused.run_expecting_exit(), 2);
  EXPECT_NE(refused.log().find("AUTOMATION_OIDC_EC_KEY_FILE"), std::string::npos)
      << refused.log();
  EXPECT_NE(refused.log().find("chmod 600"), std::string::npos) << refused.log();
  EXPECT_EQ(refused.log().find("PRIVATE KEY"), std::string::npos) << "the key is never printed";

  ::chmod(ec_file.c_str(), 0600);
  ServerProcess server(with_files, TestBackend::kSqlite);
  server.start();
  const json jwks = HttpClient(server.base_url()).get("/oidc/jwks").json();
  EXPECT_EQ(jwks_kids(jwks), (std::set<std::string>{rsa->kid(), ec->kid()}));
  EXPECT_EQ(server.log().find("are not set"), std::string::npos) << "no warning with files";
  EXPECT_EQ(query_sql(server, "SELECT COUNT(*) FROM settings WHERE \"key\" = 'oidc_signing_keys'"),
            "0");
  std::string output;
  EXPECT_EQ(server.run_cli({"oidc", "rotate-keys"}, &output), 1);
  EXPECT_NE(output.find("replacing the files"), std::string::npos) << output;
  EXPECT_EQ(server.stop(), 0);

  // One file without the other is a configuration error, before the database is touched.
  ServerProcess half({{"AUTOMATION_OIDC_ENABLED", "true"}, {"AUTOMATION_OIDC_RSA_KEY_FILE", rsa_file}},
                     TestBackend::kSqlite);
  EXPECT_EQ(half.run_expecting_exit(), 2);
  EXPECT_NE(half.log().find("AUTOMATION_OIDC_EC_KEY_FILE"), std::string::npos) << half.log();
  EXPECT_TRUE(half.database_untouched());
}

}  // namespace
}  // namespace automation::testing
