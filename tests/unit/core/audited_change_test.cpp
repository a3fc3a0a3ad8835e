// A security change stands only if its audit event is written (#12 point 7, IEC 62443-4-2
// CR 2.10): the real SQL unit of work is exercised in tests/contract and tests/integration;
// here the rules of AuditedChanges and AuthorizedApi over the in-memory stores.

#include <gtest/gtest.h>

#include <string>

#include "core_fixture.hpp"

namespace automation::testing {
namespace {

class AuditedChangeTest : public CoreTest {
 protected:
  void SetUp() override {
    CoreTest::SetUp();
    add_user("boss", "admin");
    add_user("worker", "operator");
    admin = session_of("boss");
  }

  std::size_t live_sessions_of(const std::string& username) {
    auto user = core->get_user(username);
    EXPECT_TRUE(user);
    auto sessions = stores.list_user_sessions(user ? user->id : 0, clock.now());
    EXPECT_TRUE(sessions);
    return sessions ? sessions->size() : 0;
  }

  std::size_t audit_events() { return stores.recent_events({.limit = 1000})->size(); }

  bool logs_in(const std::string& username, const std::string& password) {
    return core->login(Credentials{username, std::nullopt, password}, "10.0.0.9").has_value();
  }

  Caller admin;
};

TEST_F(AuditedChangeTest, AResetWhoseEventCannotBeWrittenChangesNothing) {
  const std::size_t events_before = audit_events();
  stores.audit_writes_fail = true;
  auto reset = api->reset_password(admin, "worker", "brand-new-secret-1");
  ASSERT_FALSE(reset);
  EXPECT_EQ(reset.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(reset.error().message, audit_unwritten().message);
  stores.audit_writes_fail = false;
  EXPECT_EQ(audit_events(), events_before);
  EXPECT_TRUE(logs_in("worker", "password123")) << "the old password must still work";
  EXPECT_FALSE(logs_in("worker", "brand-new-secret-1"));
}

TEST_F(AuditedChangeTest, ASignupWhoseEventCannotBeWrittenCreatesNoUser) {
  stores.audit_writes_fail = true;
  auto user = api->signup(admin, SignupRequest{"ghost", "ghost@example.com", "password123",
                                               "operator", std::nullopt, std::nullopt});
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().code, ErrorCode::kUnavailable);
  stores.audit_writes_fail = false;
  EXPECT_EQ(core->get_user("ghost").error().code, ErrorCode::kNotFound);
}

TEST_F(AuditedChangeTest, ALoginWhoseEventCannotBeWrittenOpensNoSession) {
  const std::size_t before = live_sessions_of("worker");
  stores.audit_writes_fail = true;
  auto login = api->login(Caller{std::nullopt, "10.0.0.2"},
                          Credentials{"worker", std::nullopt, "password123"});
  ASSERT_FALSE(login);
  EXPECT_EQ(login.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(live_sessions_of("worker"), before);
}

TEST_F(AuditedChangeTest, FailedPasswordAttemptsStayCountedWhateverTheAudit) {
  stores.audit_writes_fail = true;
  auto login = api->login(Caller{std::nullopt, "10.0.0.3"},
                          Credentials{"worker", std::nullopt, "wrong-password"});
  ASSERT_FALSE(login);
  EXPECT_EQ(login.error().code, ErrorCode::kPermissionDenied) << "a wrong password stays a 401";
  auto user = core->get_user("worker");
  ASSERT_TRUE(user);
  auto counted = stores.failures_since(
      "account:" + LoginThrottle::account_of_user(user->identifier), 0);
  ASSERT_TRUE(counted);
  EXPECT_EQ(counted->count, 1);
}

TEST_F(AuditedChangeTest, ALogoutWhoseEventCannotBeWrittenKeepsTheSession) {
  Caller worker = session_of("worker");
  const std::string key = last_key;
  stores.audit_writes_fail = true;
  EXPECT_EQ(api->logout(worker).error().code, ErrorCode::kUnavailable);
  stores.audit_writes_fail = false;
  EXPECT_TRUE(api->authenticate(key)) << "the key must still work: the logout was undone";
  EXPECT_TRUE(api->logout(worker));
  EXPECT_FALSE(api->authenticate(key));
}

TEST_F(AuditedChangeTest, ARefusalIsStillARefusalWhenTheAuditFails) {
  Caller worker = session_of("worker");
  auto refused_with_audit = api->reset_password(worker, "boss", "brand-new-secret-1");
  ASSERT_FALSE(refused_with_audit);
  stores.audit_writes_fail = true;
  auto refused = api->reset_password(worker, "boss", "brand-new-secret-1");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, refused_with_audit.error().code);
  EXPECT_EQ(refused.error().message, refused_with_audit.error().message);
  const std::uint64_t failed = core->audit().failed_writes();
  EXPECT_GE(failed, 1U) << "the refusal's event was tried and counted as lost";
}

TEST_F(AuditedChangeTest, ASuccessfulChangeWritesExactlyOneSuccessEvent) {
  const std::size_t before = audit_events();
  ASSERT_TRUE(api->update_role(admin, "worker", "supervisor"));
  auto events = stores.recent_events({.limit = 10});
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), before + 1);
  EXPECT_EQ(events->front().event, "role_change");
  EXPECT_EQ(events->front().outcome, "success");
  EXPECT_EQ(events->front().target, "worker -> supervisor");
}

TEST_F(AuditedChangeTest, AFailedChangeIsUndoneAndRecordedAfterwards) {
  // The change writes, then fails: its write is undone, and its failure is recorded.
  AuditedChanges changes(stores, core->audit());
  const std::size_t before = audit_events();
  Status status = changes.run(
      [&]() -> Status {
        EXPECT_TRUE(stores.add_role(Role{0, "half-done-id", "half_done", 7}));
        return fail(ErrorCode::kRuleViolation, "second step refused");
      },
      [](const Status& result) {
        return AuditRecord{"test_change", "tester", "target", "here",
                           audit_outcome_of(result)};
      });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kRuleViolation);
  EXPECT_FALSE(*stores.find_role("half_done"));
  auto events = stores.recent_events({.limit = 1});
  ASSERT_EQ(audit_events(), before + 1);
  EXPECT_EQ(events->front().outcome, "denied");
  EXPECT_EQ(events->front().reason, "second step refused");
}

}  // namespace
}  // namespace automation::testing
