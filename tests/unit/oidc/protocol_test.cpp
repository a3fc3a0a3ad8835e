// The OIDC provider's protocol rules that stand alone: PKCE S256 (RFC 7636 appendix B's
// vector), scopes, and the redirect addresses the provider builds.

#include <gtest/gtest.h>

#include "automation/oidc/authorization.hpp"
#include "automation/oidc/pkce.hpp"
#include "automation/oidc/scopes.hpp"

namespace automation::oidc {
namespace {

TEST(OidcPkce, TheRfcVectorMatchesAndAnythingElseDoesNot) {
  const std::string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const std::string challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  EXPECT_TRUE(is_s256_challenge(challenge));
  EXPECT_TRUE(verifier_matches(verifier, challenge));
  EXPECT_FALSE(verifier_matches(verifier + "x", challenge));
  EXPECT_FALSE(verifier_matches(challenge, challenge));
  EXPECT_FALSE(verifier_matches("short", challenge)) << "under 43 characters";
  EXPECT_FALSE(verifier_matches(std::string(129, 'a'), challenge)) << "over 128";
  EXPECT_FALSE(is_code_verifier(std::string(43, ' ')));
  EXPECT_FALSE(is_s256_challenge(challenge.substr(1)));
  EXPECT_FALSE(is_s256_challenge("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa="));  // 43 characters, one not base64url
}

TEST(OidcScopes, OnlyKnownScopesAreKeptAndARefreshMayOnlyNarrow) {
  const Scopes asked = Scopes::parse("openid  email unknown roles offline_access");
  EXPECT_EQ(asked.text(), "openid email roles offline_access");
  EXPECT_FALSE(asked.profile);
  EXPECT_TRUE(asked.covers(Scopes::parse("openid email")));
  EXPECT_FALSE(asked.covers(Scopes::parse("openid profile")));
  EXPECT_EQ(Scopes::parse("").text(), "");
}

TEST(OidcAddresses, RedirectsCarryEncodedParametersAndOriginsNoUserinfo) {
  EXPECT_EQ(with_query("http://app/cb", {{"code", "a b&c"}, {"state", "x=y"}}),
            "http://app/cb?code=a%20b%26c&state=x%3Dy");
  EXPECT_EQ(with_query("http://app/cb?keep=1", {{"code", "c"}}), "http://app/cb?keep=1&code=c");
  EXPECT_EQ(url_origin("https://hmi.plant:8443/cb?x=1"), "https://hmi.plant:8443");
  EXPECT_EQ(url_origin("http://hmi/cb"), "http://hmi");
  EXPECT_FALSE(url_origin("https://user@evil/cb"));
  EXPECT_FALSE(url_origin("javascript:alert(1)"));
  EXPECT_FALSE(url_origin("https:///cb"));
}

}  // namespace
}  // namespace automation::oidc
