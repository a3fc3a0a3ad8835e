// The MFA stores' contract (core/mfa_ports.hpp) on every engine: above all that a code's
// single use is decided by the database, whichever connection or process asks.

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "automation/storage/database.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/sql_mfa_challenge_store.hpp"
#include "automation/storage/sql_mfa_store.hpp"
#include "user_stores_fixture.hpp"

namespace automation::storage {
namespace {

using contract::Backend;
using contract::TestDatabase;

// The argon2id form of a password hash; never verified here.
constexpr const char* kSomeHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

class MfaStoreContract : public contract::UserStoresContract {
 protected:
  void SetUp() override {
    UserStoresContract::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    mfa_ = std::make_unique<SqlMfaStore>(env_->db());
    challenges_ = std::make_unique<SqlMfaChallengeStore>(env_->db());
  }

  User add_user(const std::string& name) { return UserStoresContract::add_user(name, kSomeHash); }

  // A user with a confirmed secret, last step 100, and recovery codes "a" and "b" (digests).
  User enrolled(const std::string& name) {
    const User user = add_user(name);
    EXPECT_TRUE(mfa_->put_pending_totp(user.id, "v1:sealed-" + name, 1000));
    EXPECT_TRUE(mfa_->confirm_totp(user.id, 100, 1010, {digest('a'), digest('b')}, ""));
    return user;
  }

  long long change_counter() {
    long long seq = 0;
    EXPECT_TRUE(env_->db().transaction(TxMode::kRead, [&](soci::session& sql) -> Status {
      sql << "SELECT seq FROM change_counter WHERE id = 1", soci::into(seq);
      return {};
    }));
    return seq;
  }

  static std::string digest(char c) { return std::string(64, c); }

  std::unique_ptr<SqlMfaStore> mfa_;
  std::unique_ptr<SqlMfaChallengeStore> challenges_;
};

TEST_P(MfaStoreContract, APendingSecretIsReplacedUntilConfirmedAndThenKept) {
  const User ana = add_user("ana");
  auto none = mfa_->find_totp(ana.id);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  EXPECT_EQ(mfa_->confirm_totp(ana.id, 5, 10, {}, "").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(mfa_->put_pending_totp(ana.id, "v1:first", 1000));
  ASSERT_TRUE(mfa_->put_pending_totp(ana.id, "v1:second", 1001));
  auto pending = mfa_->find_totp(ana.id);
  ASSERT_TRUE(pending && *pending);
  EXPECT_EQ((*pending)->sealed_secret, "v1:second");
  EXPECT_FALSE((*pending)->confirmed);
  EXPECT_EQ((*pending)->created_at, 1001);
  ASSERT_TRUE(mfa_->confirm_totp(ana.id, 42, 1005, {digest('a')}, ""));
  auto confirmed = mfa_->find_totp(ana.id);
  ASSERT_TRUE(confirmed && *confirmed);
  EXPECT_TRUE((*confirmed)->confirmed);
  EXPECT_EQ((*confirmed)->confirmed_at, 1005);
  EXPECT_EQ((*confirmed)->last_step, 42);
  EXPECT_EQ(mfa_->put_pending_totp(ana.id, "v1:third", 1006).error().code,
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(mfa_->confirm_totp(ana.id, 43, 1007, {}, "").error().code, ErrorCode::kNotFound);
  EXPECT_EQ((*mfa_->find_totp(ana.id))->sealed_secret, "v1:second");
}

TEST_P(MfaStoreContract, TheStepOnlyMovesForward) {
  const User ana = enrolled("ana");
  EXPECT_FALSE(*mfa_->advance_totp_step(ana.id, 100)) << "the confirming step was used";
  EXPECT_FALSE(*mfa_->advance_totp_step(ana.id, 99));
  EXPECT_TRUE(*mfa_->advance_totp_step(ana.id, 101));
  EXPECT_FALSE(*mfa_->advance_totp_step(ana.id, 101)) << "the same code again";
  EXPECT_TRUE(*mfa_->advance_totp_step(ana.id, 103));
  EXPECT_FALSE(*mfa_->advance_totp_step(ana.id, 102));
  const User bob = add_user("bob");
  ASSERT_TRUE(mfa_->put_pending_totp(bob.id, "v1:x", 1));
  EXPECT_FALSE(*mfa_->advance_totp_step(bob.id, 5)) << "a pending secret accepts no login code";
}

// Two server processes checking the same code at once: each has its own connection pool.
TEST_P(MfaStoreContract, RacingUsesOfOneStepFromTwoDatabasesLetExactlyOneWin) {
  const User ana = enrolled("ana");
  auto second = env_->open_again();
  ASSERT_TRUE(second) << second.error().message;
  SqlMfaStore other(**second);
  constexpr int kRacers = 8;
  std::atomic<int> won{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&, i] {
      MfaStore& store = i % 2 == 0 ? static_cast<MfaStore&>(*mfa_) : other;
      auto advanced = store.advance_totp_step(ana.id, 101);
      if (!advanced) {
        ++errors;
      } else if (*advanced) {
        ++won;
      }
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(won.load(), 1);
}

TEST_P(MfaStoreContract, ARecoveryCodeIsUsedOnceEvenWhenRacedAndTheRestAreCounted) {
  const User ana = enrolled("ana");
  const User bob = enrolled("bob");
  EXPECT_EQ(*mfa_->recovery_codes_left(ana.id), 2);
  EXPECT_FALSE(*mfa_->use_recovery_code(ana.id, digest('z')));
  std::atomic<int> won{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 6; ++i) {
    racers.emplace_back([&] {
      auto used = mfa_->use_recovery_code(ana.id, digest('a'));
      if (used && *used) ++won;
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(*mfa_->recovery_codes_left(ana.id), 1);
  EXPECT_EQ(*mfa_->recovery_codes_left(bob.id), 2) << "another user's equal digest stays";
  ASSERT_TRUE(mfa_->replace_recovery_codes(ana.id, {digest('c'), digest('d'), digest('e')}));
  EXPECT_EQ(*mfa_->recovery_codes_left(ana.id), 3);
  EXPECT_FALSE(*mfa_->use_recovery_code(ana.id, digest('b'))) << "the old set is gone";
  EXPECT_TRUE(*mfa_->use_recovery_code(ana.id, digest('c')));
}

TEST_P(MfaStoreContract, ConfirmingMarksTheConfirmingSessionAndTheChangeFeedSaysSo) {
  const User ana = add_user("ana");
  const User bob = add_user("bob");
  ASSERT_TRUE(sessions_->add_session(Session{digest('1'), ana.id, 1000, 0, "s1"}));
  ASSERT_TRUE(sessions_->add_session(Session{digest('2'), ana.id, 1000, 0, "s2"}));
  ASSERT_TRUE(sessions_->add_session(Session{digest('3'), bob.id, 1000, 0, "s3"}));
  EXPECT_FALSE((*sessions_->find_session(digest('1')))->session.mfa_verified)
      << "a session has no second factor unless its login proved one";
  ASSERT_TRUE(mfa_->put_pending_totp(ana.id, "v1:x", 1000));
  const long long before = change_counter();
  // Bob's session named for Ana's confirmation: not marked (the user must match).
  ASSERT_TRUE(mfa_->confirm_totp(ana.id, 7, 1001, {}, digest('3')));
  EXPECT_FALSE((*sessions_->find_session(digest('3')))->session.mfa_verified);
  ASSERT_TRUE(mfa_->remove_mfa(ana.id));
  ASSERT_TRUE(mfa_->put_pending_totp(ana.id, "v1:y", 1002));
  ASSERT_TRUE(mfa_->confirm_totp(ana.id, 8, 1003, {}, digest('1')));
  EXPECT_TRUE((*sessions_->find_session(digest('1')))->session.mfa_verified);
  EXPECT_FALSE((*sessions_->find_session(digest('2')))->session.mfa_verified);
  EXPECT_GT(change_counter(), before) << "caches must drop the session they hold";
}

TEST_P(MfaStoreContract, ASessionOpenedWithASecondFactorSaysSo) {
  const User ana = add_user("ana");
  Session session{digest('1'), ana.id, 1000, 0, "s1"};
  session.mfa_verified = true;
  ASSERT_TRUE(sessions_->add_session(session));
  EXPECT_TRUE((*sessions_->find_session(digest('1')))->session.mfa_verified);
  auto listed = sessions_->list_user_sessions(ana.id, 1000);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_TRUE(listed->front().mfa_verified);
}

TEST_P(MfaStoreContract, RemovingTakesSecretAndCodesAndSaysWhetherItWasOn) {
  const User ana = enrolled("ana");
  const User bob = add_user("bob");
  ASSERT_TRUE(mfa_->put_pending_totp(bob.id, "v1:pending", 1));
  EXPECT_TRUE(*mfa_->remove_mfa(ana.id));
  EXPECT_FALSE(*mfa_->find_totp(ana.id));
  EXPECT_EQ(*mfa_->recovery_codes_left(ana.id), 0);
  EXPECT_FALSE(*mfa_->remove_mfa(bob.id)) << "only pending";
  EXPECT_FALSE(*mfa_->find_totp(bob.id));
  EXPECT_FALSE(*mfa_->remove_mfa(bob.id));
}

TEST_P(MfaStoreContract, DeletingAUserTakesTheirMfaRecordsAlong) {
  const User ana = enrolled("ana");
  ASSERT_TRUE(challenges_->add_challenge(MfaChallenge{digest('c'), ana.id, "10.0.0.1", 10, 310}));
  ASSERT_TRUE(users_->delete_user(ana.id));
  EXPECT_FALSE(*mfa_->find_totp(ana.id));
  EXPECT_EQ(*mfa_->recovery_codes_left(ana.id), 0);
  EXPECT_FALSE(*challenges_->find_challenge(digest('c')));
}

TEST_P(MfaStoreContract, AChallengeIsFoundUntilConsumedOnceAndNotAfterItExpires) {
  const User ana = add_user("ana");
  const MfaChallenge challenge{digest('c'), ana.id, "2001:db8::7", 1000, 1300};
  ASSERT_TRUE(challenges_->add_challenge(challenge));
  auto found = challenges_->find_challenge(digest('c'));
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->user_id, ana.id);
  EXPECT_EQ((*found)->client_address, "2001:db8::7");
  EXPECT_EQ((*found)->created_at, 1000);
  EXPECT_EQ((*found)->expires_at, 1300);
  EXPECT_FALSE(*challenges_->consume_challenge(digest('d'), 1001));
  EXPECT_FALSE(*challenges_->consume_challenge(digest('c'), 1300)) << "expired";
  EXPECT_TRUE(*challenges_->consume_challenge(digest('c'), 1299));
  EXPECT_FALSE(*challenges_->consume_challenge(digest('c'), 1299)) << "single use";
  ASSERT_TRUE(challenges_->add_challenge(MfaChallenge{digest('e'), ana.id, "h", 1000, 1300}));
  std::atomic<int> won{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 6; ++i) {
    racers.emplace_back([&] {
      auto consumed = challenges_->consume_challenge(digest('e'), 1100);
      if (consumed && *consumed) ++won;
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_FALSE(*challenges_->find_challenge(digest('e')));
}

TEST_P(MfaStoreContract, ExpiredChallengesAreSweptWhenANewOneIsAdded) {
  const User ana = add_user("ana");
  ASSERT_TRUE(challenges_->add_challenge(MfaChallenge{digest('a'), ana.id, "h", 1000, 1300}));
  ASSERT_TRUE(challenges_->add_challenge(MfaChallenge{digest('b'), ana.id, "h", 1200, 1500}));
  ASSERT_TRUE(challenges_->add_challenge(MfaChallenge{digest('c'), ana.id, "h", 1300, 1600}));
  EXPECT_FALSE(*challenges_->find_challenge(digest('a')));
  EXPECT_TRUE(*challenges_->find_challenge(digest('b')));
  EXPECT_EQ(challenges_->add_challenge(MfaChallenge{digest('b'), ana.id, "h", 1301, 1601})
                .error()
                .code,
            ErrorCode::kAlreadyExists);
}

INSTANTIATE_TEST_SUITE_P(Engines, MfaStoreContract, contract::all_backends(),
                         contract::backend_name);

}  // namespace
}  // namespace automation::storage
