// Third-party tokens: creation (sudo sessions only), use as X-API-KEY and Bearer, what a
// token may not do, forged and alg=none tokens, revocation and expiry.

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <thread>

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string base64url_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int v = value(c);
    if (v < 0) break;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

// An HS256 JWT over `claims`, signed with the test servers' AUTOMATION_APP_SECRET_KEY: what an
// attacker who learned the secret could make.
std::string sign_hs256(const json& claims) {
  const std::string signing_input =
      base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(claims.dump());
  const std::string secret = kTestAppSecret;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &mac_length);
  return signing_input + "." +
         base64url(std::string_view(reinterpret_cast<const char*>(mac), mac_length));
}

class TptRoutes : public ApiTest {
 protected:
  HttpResponse create(const std::string& key, const json& body) {
    auto response = http().post("/api/users/create_tpt", body, api_key(key));
    if (response.status == 200) remember_secret(response.json().at("token").get<std::string>());
    return response;
  }
};

TEST_F(TptRoutes, SudoCreatesATokenThatActsWithItsRole) {
  const auto created =
      create(system_key(), json{{"role_name", "operator"}, {"description", "historian"}});
  ASSERT_EQ(created.status, 200) << created.body;
  const json body = created.json();
  EXPECT_EQ(body.at("message"), "Third Party Token created successfully");
  EXPECT_EQ(body.at("role"), "operator");
  EXPECT_TRUE(body.at("created_on").is_string());
  EXPECT_TRUE(body.at("jti").is_string());
  EXPECT_FALSE(body.contains("expires_on"));
  const std::string token = body.at("token");
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);

  for (const std::string& header :
       {"X-API-KEY: " + token, "Authorization: Bearer " + token, "Authorization: Token " + token}) {
    const auto users = http().get("/api/users/", {header});
    EXPECT_EQ(users.status, 200) << users.body;
    EXPECT_TRUE(users.json().is_array());
  }
  // Not a user: no own account, no TPT management, no sudo-level user reads.
  EXPECT_EQ(http().get("/api/users/me", api_key(token)).status, 403);
  EXPECT_EQ(http().post_raw("/api/users/logout", "", api_key(token)).status, 403);
  EXPECT_EQ(http().post_raw("/api/users/logout_all", "", api_key(token)).status, 403);
  // (A visible target: a sudo one would be "not found" to an operator-level token.)
  const std::string target = unique_name("tpt_target");
  create_user(target, "operator");
  const auto own_password = http().post(
      "/api/users/change_password",
      json{{"target_username", target}, {"new_password", "Whatever-Passw0rd"}}, api_key(token));
  EXPECT_EQ(own_password.status, 403) << own_password.body;
  EXPECT_EQ(create(token, json{{"role_name", "operator"}}).status, 403);
  EXPECT_EQ(http().get("/api/users/tpts", api_key(token)).status, 403);
  EXPECT_EQ(
      http().del("/api/users/tpts/" + body.at("jti").get<std::string>(), api_key(token)).status,
      403);
  EXPECT_EQ(http().get("/api/users/audit", api_key(token)).status, 403);

  const auto listed = http().get("/api/users/tpts", api_key(system_key()));
  ASSERT_EQ(listed.status, 200) << listed.body;
  bool found = false;
  for (const auto& record : listed.json()) {
    EXPECT_FALSE(record.contains("token"));
    for (const char* key :
         {"jti", "role", "created_on", "expires_on", "description", "created_by", "revoked"}) {
      EXPECT_TRUE(record.contains(key)) << key;
    }
    if (record.at("jti") == body.at("jti")) {
      found = true;
      EXPECT_EQ(record.at("role"), "operator");
      EXPECT_EQ(record.at("description"), "historian");
      EXPECT_EQ(record.at("revoked"), false);
      EXPECT_TRUE(record.at("expires_on").is_null());
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(listed.body.find(token), std::string::npos);
}

TEST_F(TptRoutes, OnlySudoSessionsCreateTokens) {
  const std::string admin = unique_name("tpt_admin");
  create_user(admin, "admin");
  const std::string admin_key = login(admin);
  const auto denied = create(admin_key, json{{"role_name", "operator"}});
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.json(), json({{"message", "Access denied. Required roles: ['sudo']"}}));
  EXPECT_EQ(http().get("/api/users/tpts", api_key(admin_key)).status, 403);
  const auto unknown = create(system_key(), json{{"role_name", "astronaut"}});
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  const auto missing = create(system_key(), json::object());
  EXPECT_EQ(missing.status, 400);
  EXPECT_TRUE(missing.json().at("errors").contains("role_name"));
  const auto bad_expiry = create(system_key(), json{{"role_name", "guest"}, {"expires_in", "1h"}});
  EXPECT_EQ(bad_expiry.status, 400);
  EXPECT_TRUE(bad_expiry.json().at("errors").contains("expires_in"));
}

TEST_F(TptRoutes, ForgedAndUnsignedTokensAreRejected) {
  const auto created = create(system_key(), json{{"role_name", "admin"}});
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string token = created.json().at("token");
  const auto first_dot = token.find('.');
  const auto second_dot = token.find('.', first_dot + 1);
  const std::string payload_part = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const json claims = json::parse(base64url_decode(payload_part));
  EXPECT_EQ(claims.at("role"), "admin");

  // Another role in the payload, the original signature.
  json elevated = claims;
  elevated["role"] = "sudo";
  const std::string forged =
      token.substr(0, first_dot + 1) + base64url(elevated.dump()) + token.substr(second_dot);
  // A flipped signature character.
  std::string bad_signature = token;
  bad_signature.back() = bad_signature.back() == 'A' ? 'B' : 'A';
  // alg none, no signature, built by hand.
  const std::string none_token =
      base64url(R"({"alg":"none","typ":"JWT"})") + "." + base64url(claims.dump()) + ".";
  const std::string none_upper =
      base64url(R"({"alg":"NONE","typ":"JWT"})") + "." + base64url(claims.dump()) + ".";
  const std::string hs512 = base64url(R"({"alg":"HS512","typ":"JWT"})") + "." +
                            base64url(claims.dump()) + "." + token.substr(second_dot + 1);
  for (const std::string& key : {forged, bad_signature, none_token, none_upper, hs512,
                                 std::string("a.b.c"), std::string("..")}) {
    for (const std::string& header : {"X-API-KEY: " + key, "Authorization: Bearer " + key}) {
      const auto response = http().get("/api/users/", {header});
      EXPECT_EQ(response.status, 401) << key << ": " << response.body;
      EXPECT_EQ(response.json(), json({{"message", "Invalid token"}}));
    }
  }
  EXPECT_EQ(http().get("/api/users/", api_key(token)).status, 200);
}

TEST_F(TptRoutes, RevokedTokenStopsWorkingAtOnce) {
  const auto created = create(system_key(), json{{"role_name", "auditor"}});
  ASSERT_EQ(created.status, 200);
  const std::string token = created.json().at("token");
  const std::string jti = created.json().at("jti");
  EXPECT_EQ(http().get("/api/users/audit", api_key(token)).status, 200);
  const auto revoked = http().del("/api/users/tpts/" + jti, api_key(system_key()));
  EXPECT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.json(), json({{"message", "Third Party Token revoked successfully"}}));
  const auto after = http().get("/api/users/audit", api_key(token));
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.json(), json({{"message", "Invalid token"}}));
  const auto listed = http().get("/api/users/tpts", api_key(system_key())).json();
  const auto it = std::find_if(listed.begin(), listed.end(),
                               [&](const json& record) { return record.at("jti") == jti; });
  ASSERT_NE(it, listed.end());
  EXPECT_EQ(it->at("revoked"), true);
  EXPECT_EQ(http().del("/api/users/tpts/" + std::string(32, '0'), api_key(system_key())).status,
            404);
}

TEST_F(TptRoutes, TokenWithExpiryReportsItAndExpires) {
  const auto lasting = create(system_key(), json{{"role_name", "guest"}, {"expires_in", 3600}});
  ASSERT_EQ(lasting.status, 200) << lasting.body;
  EXPECT_TRUE(lasting.json().at("expires_on").is_string()) << lasting.body;

  const auto created = create(system_key(), json{{"role_name", "guest"}, {"expires_in", 1}});
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_TRUE(created.json().at("expires_on").is_string());
  const std::string token = created.json().at("token");
  // Real time in a real server: poll (at most ~3 s) until the token is refused.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
  long status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    status = http().get("/api/users/roles", api_key(token)).status;
    if (status == 401) break;
    EXPECT_EQ(status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 401);
}

// Security review #8: a token re-signed with a known jti (jtis are in the audit log) and
// another role is refused, because the role is bound to the stored record.
TEST_F(TptRoutes, ResignedTokenCannotChangeItsRole) {
  const auto created = create(system_key(), json{{"role_name", "guest"}});
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string token = created.json().at("token");
  const std::string payload = token.substr(token.find('.') + 1,
                                           token.rfind('.') - token.find('.') - 1);
  json claims = json::parse(base64url_decode(payload));
  // Sanity: the test signs exactly as the server does.
  const std::string same = sign_hs256(claims);
  remember_secret(same);
  EXPECT_EQ(http().get("/api/users/roles/", api_key(same)).status, 200);
  for (const char* role : {"admin", "sudo", "GUEST2"}) {
    claims["role"] = role;
    const std::string raised = sign_hs256(claims);
    const auto response = http().get("/api/users/", api_key(raised));
    EXPECT_EQ(response.status, 401) << role << ": " << response.body;
  }
}

// Security review 2 #7: someone who read the secret (from a world-readable SQLite file)
// signed a token without exp for an existing jti, so that it never expired. A token's exp is
// bound to its record like its role: dropped, moved or added, it is refused.
TEST_F(TptRoutes, ResignedTokenCannotDropOrMoveItsExpiry) {
  const auto expiring = create(system_key(), json{{"role_name", "admin"}, {"expires_in", 3600}});
  const auto lasting = create(system_key(), json{{"role_name", "admin"}});
  ASSERT_EQ(expiring.status, 200) << expiring.body;
  ASSERT_EQ(lasting.status, 200) << lasting.body;
  const std::string token = expiring.json().at("token");
  const std::string payload = token.substr(token.find('.') + 1,
                                           token.rfind('.') - token.find('.') - 1);
  json claims = json::parse(base64url_decode(payload));
  ASSERT_TRUE(claims.contains("exp")) << claims;
  const std::string same = sign_hs256(claims);
  remember_secret(same);
  EXPECT_EQ(http().get("/api/users/", api_key(same)).status, 200) << "signed as the server does";

  json without_exp = claims;
  without_exp.erase("exp");
  json later_exp = claims;
  later_exp["exp"] = claims.at("exp").get<long long>() + 10 * 365 * 86400LL;
  const std::string lasting_token = lasting.json().at("token");
  const std::string lasting_payload =
      lasting_token.substr(lasting_token.find('.') + 1,
                           lasting_token.rfind('.') - lasting_token.find('.') - 1);
  json added_exp = json::parse(base64url_decode(lasting_payload));
  added_exp["exp"] = claims.at("exp");
  for (const json& forged_claims : {without_exp, later_exp, added_exp}) {
    const std::string forged = sign_hs256(forged_claims);
    remember_secret(forged);
    const auto response = http().get("/api/users/", api_key(forged));
    EXPECT_EQ(response.status, 401) << forged_claims << ": " << response.body;
    EXPECT_EQ(response.json(), json({{"message", "Invalid token"}}));
  }
}

// Security review #1: third-party tokens never carry the sudo role.
TEST_F(TptRoutes, SudoTokensAreNeitherCreatedNorAccepted) {
  const auto refused = create(system_key(), json{{"role_name", "sudo"}});
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_TRUE(refused.json().at("errors").contains("role_name")) << refused.body;
  const auto upper = create(system_key(), json{{"role_name", "SUDO"}});
  EXPECT_EQ(upper.status, 400) << upper.body;
  std::string output;
  EXPECT_EQ(server().run_cli({"tpt", "create", "--role", "sudo"}, &output), 1) << output;
  const auto listed = http().get("/api/users/tpts", api_key(system_key())).json();
  for (const auto& record : listed) EXPECT_NE(record.at("role"), "sudo");
}

// Security review #8: TPT actions are audited under the token's jti, never the token.
TEST_F(TptRoutes, TokenActionsAreAuditedByJti) {
  const auto created = create(system_key(), json{{"role_name", "admin"}});
  ASSERT_EQ(created.status, 200) << created.body;
  const std::string token = created.json().at("token");
  const std::string jti = created.json().at("jti");
  const std::string target = unique_name("tpt_audited");
  create_user(target, "guest");
  ASSERT_EQ(http().put("/api/users/" + target, json{{"name", "Audited"}}, api_key(token)).status,
            200);
  const auto events = http().get("/api/users/audit?limit=20", api_key(system_key()));
  ASSERT_EQ(events.status, 200);
  bool found = false;
  for (const auto& event : events.json()) {
    EXPECT_EQ(event.dump().find(token), std::string::npos);
    if (event.at("event") == "user_edit" && event.at("target") == target) {
      EXPECT_EQ(event.at("actor"), "tpt:" + jti);
      found = true;
    }
  }
  EXPECT_TRUE(found) << events.body;
}

}  // namespace
}  // namespace automation::testing
