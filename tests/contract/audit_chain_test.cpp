// The tamper-evident audit trail on a real database: what the service appends verifies;
// a row edited, deleted or inserted behind its back, or the newest rows cut off, is found
// at the right place; retention prunes oldest first, moves the anchor, and is audited.

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "automation/core/audit_chain.hpp"
#include "automation/crypto/hmac_authenticator.hpp"
#include "automation/storage/database.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/sql_audit_store.hpp"
#include "test_database.hpp"

namespace automation::storage {
namespace {

using contract::Backend;
using contract::TestDatabase;

class AuditChain : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = GetParam().make();
    if (!env_) GTEST_SKIP() << GetParam().skip_reason;
    audit_ = std::make_unique<SqlAuditStore>(env_->db(), key_);
    for (int i = 1; i <= 5; ++i) {
      ASSERT_TRUE(audit_->append_event({100 * i, "login", "ana", "ana", "10.0.0." + std::to_string(i),
                                        "success", ""}));
    }
  }

  AuditChainReport verify() {
    auto report = verify_audit_chain(*audit_, key_);
    EXPECT_TRUE(report.has_value()) << report.error().message;
    return report.value_or(AuditChainReport{});
  }

  // Runs SQL directly, as someone with write access to the database would.
  void tamper(const std::string& statement) {
    auto done = env_->db().transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
      sql << statement;
      return {};
    });
    ASSERT_TRUE(done.has_value()) << done.error().message;
  }

  long long id_of_seq(int seq) {
    long long id = 0;
    auto done = env_->db().with_session([&](soci::session& sql) -> Status {
      sql << "SELECT id FROM audit_events WHERE seq = " + std::to_string(seq), soci::into(id);
      return {};
    });
    EXPECT_TRUE(done.has_value());
    return id;
  }

  crypto::HmacSha256Authenticator key_{std::string(32, 'k')};
  std::unique_ptr<TestDatabase> env_;
  std::unique_ptr<SqlAuditStore> audit_;
};

TEST_P(AuditChain, WhatTheServiceWroteVerifies) {
  const AuditChainReport report = verify();
  EXPECT_FALSE(report.first_problem.has_value()) << report.first_problem->detail;
  EXPECT_EQ(report.events_checked, 5);
  EXPECT_EQ(report.first_seq, 1);
  EXPECT_EQ(report.last_seq, 5);
}

TEST_P(AuditChain, AnotherKeyDoesNotVerify) {
  crypto::HmacSha256Authenticator other{std::string(32, 'x')};
  auto report = verify_audit_chain(*audit_, other);
  ASSERT_TRUE(report && report->first_problem);
  EXPECT_EQ(report->first_problem->kind, AuditChainFinding::Kind::kChanged);
  EXPECT_EQ(report->first_problem->seq, 1);
}

TEST_P(AuditChain, AnEditedRowIsFound) {
  tamper("UPDATE audit_events SET outcome = 'failure' WHERE seq = 3");
  const AuditChainReport report = verify();
  ASSERT_TRUE(report.first_problem);
  EXPECT_EQ(report.first_problem->kind, AuditChainFinding::Kind::kChanged);
  EXPECT_EQ(report.first_problem->id, id_of_seq(3));
  EXPECT_EQ(report.events_checked, 2);
}

TEST_P(AuditChain, ADeletedRowIsFound) {
  tamper("DELETE FROM audit_events WHERE seq = 2");
  const AuditChainReport report = verify();
  ASSERT_TRUE(report.first_problem);
  EXPECT_EQ(report.first_problem->kind, AuditChainFinding::Kind::kRemoved);
  EXPECT_EQ(report.first_problem->seq, 2);
  EXPECT_EQ(report.first_problem->id, id_of_seq(3));
}

TEST_P(AuditChain, RenumberingAfterADeleteIsStillFound) {
  tamper("DELETE FROM audit_events WHERE seq = 2");
  tamper("UPDATE audit_events SET seq = seq - 1 WHERE seq > 2");
  tamper("UPDATE audit_chain SET head_seq = 4");
  const AuditChainReport report = verify();
  ASSERT_TRUE(report.first_problem);
  EXPECT_EQ(report.first_problem->kind, AuditChainFinding::Kind::kChanged);
  EXPECT_EQ(report.first_problem->seq, 2);
}

TEST_P(AuditChain, AnInsertedRowIsFound) {
  tamper("INSERT INTO audit_events (time, event, actor, target, address, outcome, reason)"
         " VALUES (250, 'login', 'mallory', 'mallory', '', 'success', '')");
  const AuditChainReport report = verify();
  ASSERT_TRUE(report.first_problem);
  EXPECT_EQ(report.first_problem->kind, AuditChainFinding::Kind::kInserted);
}

TEST_P(AuditChain, AnInsertedRowWithAForgedSealIsFound) {
  tamper("INSERT INTO audit_events (time, event, actor, target, address, outcome, reason, seq,"
         " mac) VALUES (250, 'login', 'mallory', 'mallory', '', 'success', '', 3, '" +
         std::string(64, '0') + "')");
  const AuditChainReport report = verify();
  ASSERT_TRUE(report.first_problem);
  EXPECT_EQ(report.first_problem->kind, AuditChainFinding::Kind::kInserted);
  EXPECT_EQ(report.first_problem->seq, 4);
}

TEST_P(AuditChain, CuttingOffTheNewestIsFound) {
  tamper("DELETE FROM audit_events WHERE seq >= 4");
  const AuditChainReport report = verify();
  ASSERT_TRUE(report.first_problem);
  EXPECT_EQ(report.first_problem->kind, AuditChainFinding::Kind::kTruncated);
  EXPECT_EQ(report.events_checked, 3);
}

TEST_P(AuditChain, PruningKeepsTheChainVerifiableAndIsAudited) {
  const AuditEvent record{999, "audit_pruned", "system", "", "", "success", "retention: test"};
  auto pruned = audit_->prune_events(UnixSeconds{250}, std::nullopt, record);
  ASSERT_TRUE(pruned.has_value()) << pruned.error().message;
  EXPECT_EQ(pruned->removed, 2);
  EXPECT_EQ(pruned->through_seq, 2);

  const AuditChainReport report = verify();
  EXPECT_FALSE(report.first_problem.has_value()) << report.first_problem->detail;
  EXPECT_EQ(report.first_seq, 3);
  EXPECT_EQ(report.events_checked, 4);  // seq 3, 4, 5 and the pruning's own record
  auto newest = audit_->recent_events(1);
  ASSERT_TRUE(newest && newest->size() == 1);
  EXPECT_EQ(newest->front().event, "audit_pruned");
  EXPECT_EQ(newest->front().target, "2 events through seq 2");

  // Deleting the oldest remaining row after a pruning is still a removal.
  tamper("DELETE FROM audit_events WHERE seq = 3");
  const AuditChainReport after = verify();
  ASSERT_TRUE(after.first_problem);
  EXPECT_EQ(after.first_problem->kind, AuditChainFinding::Kind::kRemoved);
}

TEST_P(AuditChain, PruningByCountKeepsTheNewest) {
  const AuditEvent record{999, "audit_pruned", "system", "", "", "success", "retention: test"};
  auto pruned = audit_->prune_events(std::nullopt, std::int64_t{3}, record);
  ASSERT_TRUE(pruned.has_value()) << pruned.error().message;
  EXPECT_EQ(pruned->removed, 3);
  EXPECT_EQ(audit_->event_count().value_or(-1), 3);
  EXPECT_FALSE(verify().first_problem.has_value());

  auto nothing = audit_->prune_events(std::nullopt, std::int64_t{10}, record);
  ASSERT_TRUE(nothing.has_value());
  EXPECT_EQ(nothing->removed, 0);
  EXPECT_EQ(audit_->event_count().value_or(-1), 3) << "nothing pruned, nothing recorded";
}

TEST_P(AuditChain, ConcurrentAppendsFromTwoConnectionsStayOneChain) {
  auto second_db = env_->open_again();
  ASSERT_TRUE(second_db.has_value());
  SqlAuditStore second(**second_db, key_);
  std::thread writer([&] {
    for (int i = 0; i < 40; ++i) (void)second.append_event({1000 + i, "login", "b", "", "", "success", ""});
  });
  for (int i = 0; i < 40; ++i) (void)audit_->append_event({1000 + i, "login", "a", "", "", "success", ""});
  writer.join();
  const AuditChainReport report = verify();
  EXPECT_FALSE(report.first_problem.has_value()) << report.first_problem->detail;
  EXPECT_EQ(report.events_checked, 85);
}

INSTANTIATE_TEST_SUITE_P(Engines, AuditChain, contract::all_backends(), contract::backend_name);

}  // namespace
}  // namespace automation::storage
