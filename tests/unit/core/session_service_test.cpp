#include <gtest/gtest.h>

#include "core_fixture.hpp"

namespace automation::testing {
namespace {

using SessionServiceTest = CoreTest;

Credentials by_name(std::string name, std::string password = "password123") {
  return Credentials{std::move(name), std::nullopt, std::move(password)};
}

TEST_F(SessionServiceTest, LoginByUsernameOrEmailStoresOnlyDigest) {
  add_user("dave", "operator");
  auto login = core->login(by_name("DAVE"));
  ASSERT_TRUE(login);
  EXPECT_EQ(login->api_key.size(), 64u);  // 256 bits, hex
  EXPECT_EQ(login->role.name, "operator");
  auto stored = stores.find_session(login->api_key);
  EXPECT_FALSE(*stored);  // the key itself is not a stored digest
  EXPECT_TRUE(*stores.find_session("digest:" + login->api_key));
  auto by_mail = core->login(Credentials{std::nullopt, "dave@example.com", "password123"});
  ASSERT_TRUE(by_mail);
  EXPECT_NE(by_mail->api_key, login->api_key);
  EXPECT_EQ(stores.session_count(), 2u);
}

TEST_F(SessionServiceTest, UsernameAndEmailTogetherLogInByEmail) {
  add_user("gina", "guest", "gina-password");
  add_user("hank", "operator", "hank-password");
  auto login = core->login(Credentials{"gina", "hank@example.com", "hank-password"});
  ASSERT_TRUE(login);
  EXPECT_EQ(login->user.username, "hank");
  EXPECT_FALSE(core->login(Credentials{"gina", "hank@example.com", "gina-password"}));
  // An empty email next to a username counts as not given.
  auto by_name_only = core->login(Credentials{"gina", "", "gina-password"});
  ASSERT_TRUE(by_name_only);
  EXPECT_EQ(by_name_only->user.username, "gina");
}

TEST_F(SessionServiceTest, FailuresAreIndistinguishableAndCostOneVerify) {
  add_user("erin", "operator");
  const int before = hasher.verify_calls;
  auto wrong = core->login(by_name("erin", "wrong-password"));
  auto unknown = core->login(by_name("nobody", "wrong-password"));
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().code, unknown.error().code);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
  EXPECT_EQ(wrong.error().message, "Invalid credentials");
  EXPECT_EQ(hasher.verify_calls - before, 2);
  EXPECT_EQ(stores.session_count(), 0u);
}

TEST_F(SessionServiceTest, ResolveLogoutAndLogoutAll) {
  add_user("frank", "operator");
  auto first = core->login(by_name("frank"));
  auto second = core->login(by_name("frank"));
  ASSERT_TRUE(core->sessions().resolve(first->api_key));
  ASSERT_TRUE(core->logout(first->api_key));
  EXPECT_EQ(core->sessions().resolve(first->api_key).error().code, ErrorCode::kUnauthenticated);
  EXPECT_TRUE(core->sessions().resolve(second->api_key));
  ASSERT_TRUE(core->sessions().logout_all(second->user.id));
  EXPECT_FALSE(core->sessions().resolve(second->api_key));
  EXPECT_EQ(core->sessions().resolve("").error().message, "Invalid token");
  EXPECT_FALSE(core->sessions().resolve(std::string(5000, 'a')));
}

TEST_F(SessionServiceTest, SessionsExpireAfterTtl) {
  settings.session_ttl_seconds = 60;
  rebuild();
  add_user("gina", "operator");
  auto login = core->login(by_name("gina"));
  clock.advance(59);
  EXPECT_TRUE(core->sessions().resolve(login->api_key));
  clock.advance(1);
  EXPECT_EQ(core->sessions().resolve(login->api_key).error().message, "Invalid token");
}

TEST_F(SessionServiceTest, TtlZeroNeverExpires) {
  settings.session_ttl_seconds = 0;
  rebuild();
  add_user("hank", "operator");
  auto login = core->login(by_name("hank"));
  clock.advance(10LL * 365 * 86400);
  EXPECT_TRUE(core->sessions().resolve(login->api_key));
}

TEST_F(SessionServiceTest, LegacyHashIsUpgradedOnLogin) {
  auto user = add_user("ivan", "operator");
  ASSERT_TRUE(stores.set_password_hash(user.id, "legacy$password123", SessionRevocation{}));
  ASSERT_TRUE(core->login(by_name("ivan")));
  EXPECT_EQ(core->get_user("ivan")->password_hash, "fake$password123");
}

TEST_F(SessionServiceTest, ThrottlesPerAccountUntilWindowPasses) {
  add_user("judy", "operator");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(core->login(by_name("judy", "bad-password")).error().code,
              ErrorCode::kPermissionDenied);
  }
  auto throttled = core->login(by_name("judy"));  // right password, still refused
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().code, ErrorCode::kThrottled);
  EXPECT_EQ(throttled.error().retry_after_seconds, 900);
  clock.advance(899);
  EXPECT_EQ(core->login(by_name("judy")).error().retry_after_seconds, 1);
  clock.advance(1);
  EXPECT_TRUE(core->login(by_name("judy")));
}

TEST_F(SessionServiceTest, ThrottleCountsTheAccountWhicheverNameIsUsed) {
  add_user("mona", "operator");
  for (int i = 0; i < 3; ++i) (void)core->login(by_name("mona", "bad-password"));
  for (int i = 0; i < 2; ++i) {
    (void)core->login(Credentials{std::nullopt, "MONA@example.com", "bad-password"});
  }
  EXPECT_EQ(core->login(by_name("MONA")).error().code, ErrorCode::kThrottled);
  EXPECT_EQ(core->login(Credentials{std::nullopt, "mona@example.com", "password123"})
                .error()
                .code,
            ErrorCode::kThrottled);
}

TEST_F(SessionServiceTest, SuccessResetsAccountCount) {
  add_user("kate", "operator");
  for (int i = 0; i < 4; ++i) (void)core->login(by_name("kate", "bad-password"));
  ASSERT_TRUE(core->login(by_name("kate")));
  for (int i = 0; i < 4; ++i) (void)core->login(by_name("kate", "bad-password"));
  EXPECT_TRUE(core->login(by_name("kate")));
}

TEST_F(SessionServiceTest, ThrottlesPerAddressAcrossAccounts) {
  settings.address_max_failures = 3;
  rebuild();
  add_user("liam", "operator");
  for (const char* name : {"a1", "a2", "a3"}) (void)core->login(by_name(name, "x"), "192.0.2.9");
  EXPECT_EQ(core->login(by_name("liam"), "192.0.2.9").error().code, ErrorCode::kThrottled);
  EXPECT_TRUE(core->login(by_name("liam"), "192.0.2.10"));
}

TEST_F(SessionServiceTest, AccountLimitIsPerAddressUnderAnAccountWideCeiling) {
  settings.account_max_failures = 7;
  rebuild();
  add_user("nora", "operator");
  for (int i = 0; i < 5; ++i) (void)core->login(by_name("nora", "bad-password"), "192.0.2.1");
  EXPECT_EQ(core->login(by_name("nora"), "192.0.2.1").error().code, ErrorCode::kThrottled);
  ASSERT_TRUE(core->login(by_name("nora"), "192.0.2.2"));  // another client is not locked out
  for (int i = 0; i < 2; ++i) (void)core->login(by_name("nora", "bad-password"), "192.0.2.3");
  EXPECT_EQ(core->login(by_name("nora"), "192.0.2.4").error().code, ErrorCode::kThrottled);
}

TEST_F(SessionServiceTest, WrongCurrentPasswordsAreThrottledLikeLogins) {
  add_user("omar", "operator");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(core->passwords()
                  .change_password("omar", "new-password-1", std::string("guess"), {}, "10.0.0.7")
                  .error()
                  .code,
              ErrorCode::kRuleViolation);
  }
  EXPECT_EQ(core->passwords()
                .change_password("omar", "new-password-1", std::string("password123"), {},
                                 "10.0.0.7")
                .error()
                .code,
            ErrorCode::kThrottled);
  EXPECT_EQ(core->login(by_name("omar"), "10.0.0.7").error().code, ErrorCode::kThrottled);
}

}  // namespace
}  // namespace automation::testing
