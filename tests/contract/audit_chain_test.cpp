// The tamper-evident audit trail on a real database: what the service appends verifies;
// a row edited, deleted or inserted behind its back, or the newest rows cut off, is found
// at the right place; retention prunes oldest first, moves the anchor, and is audited.

#include <gtest/gtest.h>

#include <algorithm>
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
  auto newest = audit_->recent_events({.limit = 1});
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

// Review 2 #3: count-based retention removes refusals before any change, from the middle of
// the chain; the chain still verifies, and deleting anything else there is still found.
TEST_P(AuditChain, PruningByCountTakesRefusalsFirstAndTheChainStillVerifies) {
  // seq 1-5: successes (SetUp); 6-8 refusals, 9 a change, 10-11 refusals, 12 a change.
  for (const char* outcome : {"throttled", "failure", "denied", "success", "throttled",
                              "throttled", "success"}) {
    ASSERT_TRUE(audit_->append_event({700, "login", "", "x", "10.6.6.6", outcome, "why"}));
  }
  const AuditEvent record{999, "audit_pruned", "system", "", "", "success", "retention: test"};
  auto pruned = audit_->prune_events(std::nullopt, std::int64_t{8}, record);
  ASSERT_TRUE(pruned.has_value()) << pruned.error().message;
  EXPECT_EQ(pruned->removed, 5) << "the five refusals, and no change";
  EXPECT_EQ(pruned->through_seq, 0) << "seq 1 stays, so the anchor does not move";
  EXPECT_EQ(audit_->event_count().value_or(-1), 8);
  auto newest = audit_->recent_events({.limit = 1});
  ASSERT_TRUE(newest && newest->size() == 1);
  EXPECT_EQ(newest->front().target, "5 events; refusals at seq 6..8, 10..11");
  const AuditChainReport report = verify();
  EXPECT_FALSE(report.first_problem.has_value()) << report.first_problem->detail;
  EXPECT_EQ(report.events_checked, 8);

  // Past the refusals, the oldest changes go, and the anchor moves past every gap below it.
  auto again = audit_->prune_events(std::nullopt, std::int64_t{3}, record);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->through_seq, 11) << "seq 1-5 and 9 went, 6-8 and 10-11 had gone before";
  const AuditChainReport after = verify();
  EXPECT_FALSE(after.first_problem.has_value()) << after.first_problem->detail;

  // A change deleted next to a listed gap is not covered by it.
  ASSERT_TRUE(audit_->append_event({800, "login", "", "y", "10.6.6.7", "throttled", "why"}));
  ASSERT_TRUE(audit_->append_event({801, "password_reset", "boss", "ana", "", "success", ""}));
  ASSERT_TRUE(audit_->append_event({802, "login", "ana", "ana", "", "success", ""}));
  auto third = audit_->prune_events(std::nullopt, std::int64_t{5}, record);
  ASSERT_TRUE(third.has_value()) << third.error().message;
  ASSERT_FALSE(verify().first_problem.has_value());
  auto kept = audit_->recent_events({.limit = 10});
  ASSERT_TRUE(kept.has_value());
  EXPECT_TRUE(std::any_of(kept->begin(), kept->end(), [](const AuditEvent& event) {
    return event.event == "password_reset";
  })) << "the change stays while refusals go";
  tamper("DELETE FROM audit_events WHERE event = 'password_reset'");
  const AuditChainReport tampered = verify();
  ASSERT_TRUE(tampered.first_problem);
  EXPECT_EQ(tampered.first_problem->kind, AuditChainFinding::Kind::kRemoved)
      << tampered.first_problem->detail;
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

// ---- Review 2 #6: the chain row's anchor and start are covered by the key too.

// The MAC stored with `seq`.
std::string mac_of_seq(TestDatabase& env, int seq) {
  std::string mac;
  auto done = env.db().with_session([&](soci::session& sql) -> Status {
    sql << "SELECT mac FROM audit_events WHERE seq = " + std::to_string(seq), soci::into(mac);
    return {};
  });
  EXPECT_TRUE(done.has_value());
  return mac;
}

TEST_P(AuditChain, AnInsertedRowBehindAMovedChainStartIsFound) {
  tamper("INSERT INTO audit_events (time, event, actor, target, address, outcome, reason)"
         " VALUES (50, 'login', 'system', 'system', '10.0.0.9', 'success', '')");
  tamper("UPDATE audit_chain SET chain_start_id = 1000000");
  const AuditChainReport report = verify();
  ASSERT_TRUE(report.first_problem) << "intact with an unsealed row";
  EXPECT_EQ(report.first_problem->kind, AuditChainFinding::Kind::kInserted);
  EXPECT_NE(report.first_problem->detail.find("carries no seal"), std::string::npos)
      << report.first_problem->detail;
}

TEST_P(AuditChain, DeletingTheOldestAndMovingTheAnchorIsFound) {
  const std::string mac2 = mac_of_seq(*env_, 2);
  tamper("DELETE FROM audit_events WHERE seq <= 2");
  tamper("UPDATE audit_chain SET anchor_seq = 2, anchor_mac = '" + mac2 + "'");
  const AuditChainReport report = verify();
  ASSERT_TRUE(report.first_problem) << "intact with seq 1..2 gone unrecorded";
  EXPECT_EQ(report.first_problem->kind, AuditChainFinding::Kind::kRemoved);
  EXPECT_NE(report.first_problem->detail.find("events 1..2 were removed"), std::string::npos)
      << report.first_problem->detail;
}

TEST_P(AuditChain, AnAnchorMovedPastTheLastPruningIsFound) {
  const AuditEvent record{999, "audit_pruned", "system", "", "", "success", "retention: test"};
  ASSERT_TRUE(audit_->prune_events(UnixSeconds{250}, std::nullopt, record).has_value());
  ASSERT_FALSE(verify().first_problem.has_value()) << "a real pruning verifies";

  // Beyond the pruning, keeping its record (seq 6): the record names the real anchor.
  const std::string mac4 = mac_of_seq(*env_, 4);
  tamper("DELETE FROM audit_events WHERE seq IN (3, 4)");
  tamper("UPDATE audit_chain SET anchor_seq = 4, anchor_mac = '" + mac4 + "'");
  AuditChainReport report = verify();
  ASSERT_TRUE(report.first_problem);
  EXPECT_EQ(report.first_problem->kind, AuditChainFinding::Kind::kRemoved);
  EXPECT_NE(report.first_problem->detail.find("left it at seq 2"), std::string::npos)
      << report.first_problem->detail;

  // Through the record itself: no pruning left in the chain, so the anchor must be 0.
  const std::string mac6 = mac_of_seq(*env_, 6);
  tamper("DELETE FROM audit_events WHERE seq <= 6");
  tamper("UPDATE audit_chain SET anchor_seq = 6, anchor_mac = '" + mac6 + "'");
  report = verify();
  ASSERT_TRUE(report.first_problem);
  EXPECT_EQ(report.first_problem->kind, AuditChainFinding::Kind::kRemoved);
}

// A database older than the chain: its earlier rows carry no seal. They are counted in a
// sealed record once; one more unsealed row, or a moved start, is then an insertion.
TEST_P(AuditChain, RowsOlderThanTheChainAreCountedOnceAndNoMoreMayAppear) {
  for (int id : {-3, -2, -1}) {
    tamper("INSERT INTO audit_events (id, time, event, actor, target, address, outcome, reason)"
           " VALUES (" + std::to_string(id) + ", 10, 'login', 'old', 'old', '', 'success', '')");
  }
  EXPECT_EQ(verify().first_problem->kind, AuditChainFinding::Kind::kInserted)
      << "unsealed rows nobody counted";
  ASSERT_TRUE(audit_->seal_chain_start(UnixSeconds{600}).has_value());
  ASSERT_TRUE(audit_->seal_chain_start(UnixSeconds{601}).has_value());
  auto newest = audit_->recent_events({.limit = 2});
  ASSERT_TRUE(newest && newest->size() == 2);
  EXPECT_EQ(newest->front().event, "audit_chain_started");
  EXPECT_EQ(newest->front().reason, "3 earlier events carry no seal");
  EXPECT_NE((*newest)[1].event, "audit_chain_started") << "sealed once";
  AuditChainReport report = verify();
  EXPECT_FALSE(report.first_problem.has_value()) << report.first_problem->detail;
  EXPECT_EQ(report.events_checked, 6);

  tamper("INSERT INTO audit_events (id, time, event, actor, target, address, outcome, reason)"
         " VALUES (-10, 5, 'login', 'system', 'system', '', 'success', '')");
  report = verify();
  ASSERT_TRUE(report.first_problem) << "a fourth unsealed row among the three";
  EXPECT_EQ(report.first_problem->kind, AuditChainFinding::Kind::kInserted);
  tamper("DELETE FROM audit_events WHERE id = -10");
  ASSERT_FALSE(verify().first_problem.has_value());

  tamper("UPDATE audit_chain SET chain_start_id = chain_start_id + 1000");
  report = verify();
  ASSERT_TRUE(report.first_problem);
  EXPECT_NE(report.first_problem->detail.find("start was moved"), std::string::npos)
      << report.first_problem->detail;
  tamper("UPDATE audit_chain SET chain_start_id = chain_start_id - 1000");

  // Once chained events are pruned, so are all older rows: none without a seal may remain.
  const AuditEvent record{999, "audit_pruned", "system", "", "", "success", "retention: test"};
  auto pruned = audit_->prune_events(UnixSeconds{150}, std::nullopt, record);
  ASSERT_TRUE(pruned.has_value());
  EXPECT_EQ(pruned->removed, 4);  // the three old rows and seq 1
  ASSERT_FALSE(verify().first_problem.has_value());
  tamper("INSERT INTO audit_events (id, time, event, actor, target, address, outcome, reason)"
         " VALUES (-20, 5, 'login', 'system', 'system', '', 'success', '')");
  report = verify();
  ASSERT_TRUE(report.first_problem);
  EXPECT_EQ(report.first_problem->kind, AuditChainFinding::Kind::kInserted);
}

INSTANTIATE_TEST_SUITE_P(Engines, AuditChain, contract::all_backends(), contract::backend_name);

}  // namespace
}  // namespace automation::storage
