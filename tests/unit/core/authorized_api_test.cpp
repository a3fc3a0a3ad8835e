#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <utility>

#include "core_fixture.hpp"

namespace automation::testing {
namespace {

using AuthorizedApiTest = CoreTest;

TEST_F(AuthorizedApiTest, AuthenticateDistinguishesMissingAndInvalid) {
  EXPECT_EQ(api->authenticate("").error().message, "Key is missing.");
  EXPECT_EQ(api->authenticate("abc").error().message, "Invalid token");
  EXPECT_EQ(api->authenticate("a.b.c").error().message, "Invalid token");
  EXPECT_EQ(api->authenticate("abc").error().code, ErrorCode::kUnauthenticated);
}

TEST_F(AuthorizedApiTest, AnonymousSignupIsGuestOnly) {
  Caller anonymous{std::nullopt, "1.2.3.4"};
  SignupRequest request{"newbie", "newbie@example.com", "password123", std::nullopt,
                        std::nullopt, std::nullopt};
  auto user = api->signup(anonymous, request);
  ASSERT_TRUE(user);
  EXPECT_EQ(user->role.name, "guest");
  request.username = "climber";
  request.email = "climber@example.com";
  request.role_name = "admin";
  EXPECT_EQ(api->signup(anonymous, request).error().code, ErrorCode::kPermissionDenied);
  EXPECT_FALSE(core->get_user("climber"));
}

TEST_F(AuthorizedApiTest, SignupDisabledUnlessAdmin) {
  settings.allow_signup = false;
  rebuild();
  add_user("boss", "admin");
  SignupRequest request{"worker", "worker@example.com", "password123", "operator",
                        std::nullopt, std::nullopt};
  EXPECT_EQ(api->signup(Caller{}, request).error().code, ErrorCode::kPermissionDenied);
  auto created = api->signup(session_of("boss"), request);
  ASSERT_TRUE(created);
  EXPECT_EQ(created->role.name, "operator");
}

TEST_F(AuthorizedApiTest, ChangeOwnPasswordNeedsCurrent) {
  add_user("olive", "operator");
  auto caller = session_of("olive");
  auto missing = api->change_password(caller, PasswordChange{"olive", "new-password", {}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().fields.count("current_password"), 1u);
  EXPECT_EQ(api->change_password(caller, PasswordChange{"olive", "new-password", "wrong-one"})
                .error()
                .code,
            ErrorCode::kRuleViolation);
  ASSERT_TRUE(api->change_password(caller, PasswordChange{"olive", "new-password", "password123"}));
  EXPECT_TRUE(api->authenticate(last_key));  // the session that changed it survives
}

TEST_F(AuthorizedApiTest, RoleMatrixOverRealSessions) {
  add_user("root2", "sudo");
  add_user("adm", "admin");
  add_user("adm2", "admin");
  add_user("op", "operator");
  add_user("op2", "operator");
  const auto sudo = session_of("root2");
  const auto admin = session_of("adm");
  const auto op = session_of("op");
  EXPECT_TRUE(api->reset_password(sudo, "adm2", "reset-by-sudo"));
  EXPECT_EQ(api->reset_password(sudo, "op", "nope-nope").error().code, ErrorCode::kRuleViolation);
  EXPECT_TRUE(api->reset_password(admin, "op2", "reset-by-admin"));
  // A sudo target is invisible to an admin: the same answer as a user that does not exist.
  EXPECT_EQ(api->reset_password(admin, "root2", "nope-nope").error().message,
            "User root2 not found");
  EXPECT_EQ(api->reset_password(op, "op2", "nope-nope").error().code, ErrorCode::kRuleViolation);
  EXPECT_EQ(api->update_role(op, "op2", "guest").error().code, ErrorCode::kPermissionDenied);
  EXPECT_TRUE(api->update_role(admin, "op2", "supervisor"));
  EXPECT_EQ(api->update_role(admin, "adm", "guest").error().code, ErrorCode::kRuleViolation);
  EXPECT_EQ(api->update_role(admin, "op2", "sudo").error().code, ErrorCode::kRuleViolation);
  EXPECT_EQ(api->delete_user(op, "op2").error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(api->delete_user(admin, "adm").error().code, ErrorCode::kRuleViolation);
  EXPECT_TRUE(api->delete_user(admin, "op2"));
  EXPECT_EQ(core->get_user("op2").error().code, ErrorCode::kNotFound);
}

TEST_F(AuthorizedApiTest, TptActsWithItsRoleButHasNoAccount) {
  add_user("root2", "sudo");
  add_user("target", "guest");
  const auto sudo = session_of("root2");
  auto created = api->create_tpt(sudo, TptRequest{"admin", std::nullopt, "plc"});
  ASSERT_TRUE(created);
  auto principal = api->authenticate(created->token);
  ASSERT_TRUE(principal);
  EXPECT_EQ(principal->kind, Principal::Kind::kThirdPartyToken);
  const Caller token{*principal, "10.0.0.2"};
  EXPECT_EQ(api->me(token).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(api->logout(token).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(api->create_tpt(token, TptRequest{"guest", std::nullopt, ""}).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(api->revoke_tpt(token, created->record.jti).error().code,
            ErrorCode::kPermissionDenied);
  EXPECT_TRUE(api->reset_password(token, "target", "set-by-token"));
  ASSERT_TRUE(api->revoke_tpt(sudo, created->record.jti));
  EXPECT_EQ(api->authenticate(created->token).error().message, "Invalid token");
}

TEST_F(AuthorizedApiTest, OnlySudoSessionsManageTpts) {
  add_user("adm", "admin");
  auto denied = api->create_tpt(session_of("adm"), TptRequest{"guest", std::nullopt, ""});
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().message, "Access denied. Required roles: ['sudo']");
}

TEST_F(AuthorizedApiTest, DeleteEndsSessions) {
  add_user("adm", "admin");
  add_user("gone", "guest");
  const auto gone = session_of("gone");
  const std::string gone_key = last_key;
  ASSERT_TRUE(api->delete_user(session_of("adm"), "gone"));
  EXPECT_FALSE(api->authenticate(gone_key));
}

TEST_F(AuthorizedApiTest, PaginationBounds) {
  add_user("u1", "guest");
  add_user("u2", "guest");
  add_user("u3", "guest");
  const auto caller = session_of("u1");
  auto page = api->list_users_page(caller, 2, 2);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 3);
  ASSERT_EQ(page->users.size(), 1u);
  EXPECT_EQ(page->users[0].username, "u3");
  EXPECT_EQ(api->list_users_page(caller, 0, 2).error().fields.count("page"), 1u);
  EXPECT_EQ(api->list_users_page(caller, 1, 0).error().fields.count("limit"), 1u);
  // No upper bound on limit, and (page - 1) * limit never overflows (UBSan watches).
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  auto everyone = api->list_users_page(caller, 1, 10000);
  ASSERT_TRUE(everyone);
  EXPECT_EQ(everyone->users.size(), 3u);
  for (const auto& [page_number, limit] : {std::pair{kMax, kMax}, std::pair{kMax, std::int64_t{2}},
                                           std::pair{std::int64_t{2}, kMax}}) {
    auto beyond = api->list_users_page(caller, page_number, limit);
    ASSERT_TRUE(beyond);
    EXPECT_TRUE(beyond->users.empty());
    EXPECT_EQ(beyond->total, 3);
  }
}

TEST_F(AuthorizedApiTest, UnknownTargetsAreInvalidArgumentsNamingTheUser) {
  add_user("adm", "admin");
  const auto admin = session_of("adm");
  for (const Status& status :
       {api->change_password(admin, PasswordChange{"ghost", "new-password", {}}),
        api->reset_password(admin, "ghost", "new-password"),
        api->update_role(admin, "ghost", "guest")}) {
    ASSERT_FALSE(status);
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(status.error().message, "User ghost not found");
    EXPECT_TRUE(status.error().fields.empty());
  }
}

TEST_F(AuthorizedApiTest, AGivenCurrentPasswordMustBeRightForAnyCaller) {
  add_user("adm", "admin");
  add_user("olive", "operator");
  const auto admin = session_of("adm");
  auto wrong = api->change_password(admin, PasswordChange{"olive", "new-password", "wrong-one"});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kRuleViolation);
  EXPECT_TRUE(core->verify_credentials(Credentials{"olive", std::nullopt, "password123"}));
  EXPECT_TRUE(api->change_password(admin, PasswordChange{"olive", "new-password", "password123"}));
  EXPECT_TRUE(api->change_password(admin, PasswordChange{"olive", "newer-password", {}}));
}

TEST_F(AuthorizedApiTest, AuditRecordsEventsWithoutSecrets) {
  add_user("adm", "admin");
  add_user("aud", "auditor");
  const auto admin = session_of("adm");
  add_user("gus", "guest");
  EXPECT_EQ(api->audit(session_of("gus"), {.limit = 50}).error().code, ErrorCode::kPermissionDenied);
  (void)api->login(Caller{std::nullopt, "10.9.9.9"},
                   Credentials{"adm", std::nullopt, "wrong-secret-pw"});
  EXPECT_EQ(api->audit(session_of("adm"), {.limit = 50}).has_value(), true);
  EXPECT_TRUE(api->audit(session_of("aud"), {.limit = 50}));
  auto events = api->audit(admin, {.limit = 100});
  ASSERT_TRUE(events);
  ASSERT_FALSE(events->empty());
  EXPECT_EQ(events->front().event, "login");  // newest first
  EXPECT_EQ(events->front().outcome, "failure");
  EXPECT_EQ(events->front().address, "10.9.9.9");
  for (const auto& event : *events) {
    for (const auto& text :
         {event.actor, event.target, event.address, event.outcome, event.reason}) {
      EXPECT_EQ(text.find("password"), std::string::npos);
      EXPECT_EQ(text.find("wrong-secret"), std::string::npos);
    }
  }
}

TEST_F(AuthorizedApiTest, AddRoleRules) {
  add_user("adm", "admin");
  add_user("op", "operator");
  const auto admin = session_of("adm");
  EXPECT_TRUE(api->add_role(admin, "maintainer", 5));
  EXPECT_EQ(api->add_role(admin, "maintainer", 6).error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(api->add_role(admin, "zero", 0).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(api->add_role(session_of("op"), "x", 50).error().code, ErrorCode::kPermissionDenied);
}

}  // namespace
}  // namespace automation::testing
