#include "automation/core/forward_auth.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "fakes.hpp"

namespace automation {
namespace {

// Records the claims it was asked to sign.
class RecordingSigner : public ForwardTokenSigner {
 public:
  Result<std::string> sign(const ForwardClaims& claims) override {
    signed_claims.push_back(claims);
    return "token-" + std::to_string(signed_claims.size());
  }
  std::vector<ForwardClaims> signed_claims;
};

Principal session_of(std::string username, std::string role, int level) {
  Principal principal;
  principal.kind = Principal::Kind::kSession;
  principal.user = User{};
  principal.user->username = std::move(username);
  principal.user->email = principal.user->username + "@plant.local";
  principal.role = Role{0, "r1", std::move(role), level};
  principal.session_id = "5e55";
  return principal;
}

class ForwardAuthTest : public ::testing::Test {
 protected:
  testing::FakeClock clock;
  testing::FakeRandom random;
  RecordingSigner signer;
  ForwardAuth forward{ForwardAuth::Ports{signer, random, clock}, 60};
};

TEST_F(ForwardAuthTest, ASessionGetsItsIdentityAndAShortLivedToken) {
  auto identity = forward.identify(session_of("ana", "operator", 10), std::nullopt);
  ASSERT_TRUE(identity) << identity.error().message;
  EXPECT_EQ(identity->user, "ana");
  EXPECT_EQ(identity->role, "operator");
  EXPECT_EQ(identity->role_level, 10);
  EXPECT_EQ(identity->email, "ana@plant.local");
  EXPECT_EQ(identity->session_id, "5e55");
  EXPECT_EQ(identity->token, "token-1");
  ASSERT_EQ(signer.signed_claims.size(), 1u);
  const ForwardClaims& claims = signer.signed_claims[0];
  EXPECT_EQ(claims.subject, "ana");
  EXPECT_EQ(claims.role, "operator");
  EXPECT_EQ(claims.role_level, 10);
  EXPECT_EQ(claims.expires_at, clock.now() + 60);
  EXPECT_EQ(claims.issued_at, clock.now() - ForwardAuth::kIssuedAtSkew);
  EXPECT_EQ(claims.jti.size(), 32u);
  EXPECT_EQ(identity->expires_at, claims.expires_at);
}

TEST_F(ForwardAuthTest, EveryTokenHasItsOwnId) {
  ASSERT_TRUE(forward.identify(session_of("ana", "operator", 10), std::nullopt));
  ASSERT_TRUE(forward.identify(session_of("ana", "operator", 10), std::nullopt));
  EXPECT_NE(signer.signed_claims[0].jti, signer.signed_claims[1].jti);
}

TEST_F(ForwardAuthTest, AThirdPartyTokenIsNamedByItsJtiWithoutAccountFacts) {
  Principal token;
  token.kind = Principal::Kind::kThirdPartyToken;
  token.role = Role{0, "r", "operator", 10};
  token.jti = "abc123";
  auto identity = forward.identify(token, std::nullopt);
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->user, "tpt:abc123");
  EXPECT_EQ(identity->email, "");
  EXPECT_EQ(identity->session_id, "");
  EXPECT_EQ(signer.signed_claims.at(0).subject, "tpt:abc123");
}

TEST_F(ForwardAuthTest, TheRequiredLevelRefusesLessPrivilegedRolesWithoutMinting) {
  auto guest = forward.identify(session_of("gus", "guest", 256), 10);
  ASSERT_FALSE(guest);
  EXPECT_EQ(guest.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(guest.error().message, "Access denied. Required role level: <= 10");
  EXPECT_TRUE(signer.signed_claims.empty());
  EXPECT_TRUE(forward.identify(session_of("ana", "operator", 10), 10));
  EXPECT_TRUE(forward.identify(session_of("boss", "admin", 1), 10));
  EXPECT_FALSE(forward.identify(session_of("ana", "operator", 10), 9));
}

TEST_F(ForwardAuthTest, ASudoSessionKeepsItsRole) {
  auto identity = forward.identify(session_of("system", "sudo", 0), 0);
  ASSERT_TRUE(identity);
  EXPECT_EQ(identity->role, "sudo");
  EXPECT_EQ(signer.signed_claims.at(0).role_level, 0);
}

}  // namespace
}  // namespace automation
