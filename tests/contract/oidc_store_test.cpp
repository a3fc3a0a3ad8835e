// The OpenID Connect store's contract (core/oidc_ports.hpp) on every engine: clients with
// unique names; codes and refresh tokens whose single use the database decides, whichever
// connection pool or process asks; a reused refresh token ending its family; and every grant
// ending with its session, its user, its client, and (refresh tokens) a role or password change.

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "automation/storage/database.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/sql_oidc_store.hpp"
#include "automation/storage/sql_password_store.hpp"
#include "user_stores_fixture.hpp"

namespace automation::storage {
namespace {

constexpr UnixSeconds kOidcNow = 1'000'000;

class OidcStoreContract : public contract::UserStoresContract {
 protected:
  void SetUp() override {
    UserStoresContract::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    oidc_ = std::make_unique<SqlOidcStore>(env_->db());
    ana_ = add_user("ana");
    ASSERT_TRUE(oidc_->add_client(client("c1", "ignition")));
    ASSERT_TRUE(sessions_->add_session(Session{session_of('a'), ana_.id, kOidcNow, 0, "sa"}));
  }

  static OidcClient client(const std::string& id, const std::string& name) {
    OidcClient c;
    c.client_id = id;
    c.name = name;
    c.redirect_uris = {"https://hmi.example/callback", "http://10.0.0.5:8088/cb?x=1"};
    c.post_logout_redirect_uris = {"https://hmi.example/"};
    c.secret_digest = std::string(64, 'e');
    c.created_at = 5;
    c.created_by = "cli";
    return c;
  }
  static std::string session_of(char c) { return std::string(64, c); }
  static std::string digest(char c, int n = 0) {
    return std::string(62, c) + static_cast<char>('0' + n / 10) + static_cast<char>('0' + n % 10);
  }

  OidcCode code(const std::string& code_digest, const std::string& session, std::int64_t user,
                const std::string& client_id = "c1") {
    return OidcCode{code_digest, client_id, "https://hmi.example/callback", session, user,
                    "openid profile", "nonce-1", "challenge", kOidcNow - 10, "pwd otp",
                    kOidcNow + 60};
  }
  OidcRefreshToken refresh(const std::string& token_digest, const std::string& family,
                           const std::string& session, std::int64_t user,
                           const std::string& client_id = "c1") {
    return OidcRefreshToken{token_digest, family, client_id, session, user, "openid roles",
                            kOidcNow - 10, "pwd", kOidcNow, kOidcNow + 3600, false};
  }

  bool code_exists(const std::string& code_digest) {
    long long n = 0;
    EXPECT_TRUE(env_->db().transaction(TxMode::kRead, [&](soci::session& sql) -> Status {
      sql << "SELECT COUNT(*) FROM oidc_codes WHERE code_digest = :d", soci::use(code_digest),
          soci::into(n);
      return {};
    }));
    return n != 0;
  }
  bool refresh_exists(const std::string& token_digest) {
    auto found = oidc_->find_refresh_token(token_digest);
    EXPECT_TRUE(found.has_value());
    return found && found->has_value();
  }

  std::unique_ptr<SqlOidcStore> oidc_;
  User ana_;
};

TEST_P(OidcStoreContract, ClientsAreStoredListedAndRemovedAndNamesAreUniqueInAnyCase) {
  auto found = oidc_->find_client("c1");
  ASSERT_TRUE(found && *found);
  const OidcClient& c = **found;
  EXPECT_EQ(c.name, "ignition");
  EXPECT_EQ(c.redirect_uris,
            (std::vector<std::string>{"https://hmi.example/callback", "http://10.0.0.5:8088/cb?x=1"}));
  EXPECT_EQ(c.post_logout_redirect_uris, std::vector<std::string>{"https://hmi.example/"});
  EXPECT_FALSE(c.is_public);
  EXPECT_EQ(c.secret_digest, std::string(64, 'e'));
  EXPECT_EQ(c.created_at, 5);
  EXPECT_EQ(c.created_by, "cli");

  auto taken = oidc_->add_client(client("c2", "IGNITION"));
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(taken.error().fields.contains("name"));
  auto same_id = oidc_->add_client(client("c1", "grafana"));
  ASSERT_FALSE(same_id);
  EXPECT_EQ(same_id.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(same_id.error().fields.contains("client_id"));

  OidcClient machine = client("c3", "Historian");
  machine.redirect_uris.clear();
  machine.post_logout_redirect_uris.clear();
  machine.client_credentials = true;
  ASSERT_TRUE(oidc_->add_client(machine));
  OidcClient pub = client("c4", "optix");
  pub.is_public = true;
  pub.secret_digest.clear();
  ASSERT_TRUE(oidc_->add_client(pub));
  auto by_name = oidc_->find_client_by_name("HISTORIAN");
  ASSERT_TRUE(by_name && *by_name);
  EXPECT_TRUE((*by_name)->redirect_uris.empty());
  EXPECT_TRUE((*by_name)->client_credentials);
  EXPECT_TRUE((*oidc_->find_client("c4"))->is_public);

  auto listed = oidc_->list_clients();
  ASSERT_TRUE(listed);
  std::vector<std::string> names;
  for (const OidcClient& each : *listed) names.push_back(each.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Historian", "ignition", "optix"}));

  OidcClient bad = client("c5", "bad");
  bad.redirect_uris = {"https://a.example/\nhttps://b.example/"};
  auto refused = oidc_->add_client(bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(*oidc_->find_client("c5"));

  ASSERT_TRUE(oidc_->remove_client("c3"));
  EXPECT_FALSE(*oidc_->find_client("c3"));
  EXPECT_EQ(oidc_->remove_client("c3").error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(*oidc_->find_client("nope"));
  EXPECT_FALSE(*oidc_->find_client_by_name("nope"));
}

TEST_P(OidcStoreContract, ACodeIsRedeemedOnceAndNeverAfterItExpires) {
  ASSERT_TRUE(oidc_->add_code(code(digest('c'), session_of('a'), ana_.id)));
  auto none = oidc_->redeem_code(digest('x'), kOidcNow);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto redeemed = oidc_->redeem_code(digest('c'), kOidcNow);
  ASSERT_TRUE(redeemed && *redeemed);
  const OidcCode& c = **redeemed;
  EXPECT_EQ(c.client_id, "c1");
  EXPECT_EQ(c.redirect_uri, "https://hmi.example/callback");
  EXPECT_EQ(c.session_digest, session_of('a'));
  EXPECT_EQ(c.user_id, ana_.id);
  EXPECT_EQ(c.scope, "openid profile");
  EXPECT_EQ(c.nonce, "nonce-1");
  EXPECT_EQ(c.code_challenge, "challenge");
  EXPECT_EQ(c.auth_time, kOidcNow - 10);
  EXPECT_EQ(c.amr, "pwd otp");
  EXPECT_EQ(c.expires_at, kOidcNow + 60);
  EXPECT_FALSE(*oidc_->redeem_code(digest('c'), kOidcNow)) << "single use";

  ASSERT_TRUE(oidc_->add_code(code(digest('e'), session_of('a'), ana_.id)));
  EXPECT_FALSE(*oidc_->redeem_code(digest('e'), kOidcNow + 60)) << "expired at expires_at";
  EXPECT_FALSE(code_exists(digest('e'))) << "an expired code is deleted when presented";

  EXPECT_EQ(oidc_->add_code(code(digest('f'), session_of('z'), ana_.id)).error().code,
            ErrorCode::kNotFound)
      << "no code for a session that does not exist";
  EXPECT_EQ(oidc_->add_code(code(digest('f'), session_of('a'), ana_.id, "nope")).error().code,
            ErrorCode::kNotFound);
}

// Two server processes redeeming one code at once: each has its own connection pool.
TEST_P(OidcStoreContract, RacingCodeRedemptionsFromTwoDatabasesLetExactlyOneWin) {
  ASSERT_TRUE(oidc_->add_code(code(digest('c'), session_of('a'), ana_.id)));
  auto second = env_->open_again();
  ASSERT_TRUE(second) << second.error().message;
  SqlOidcStore other(**second);
  constexpr int kRacers = 8;
  std::atomic<int> won{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&, i] {
      OidcStore& store = i % 2 == 0 ? static_cast<OidcStore&>(*oidc_) : other;
      auto redeemed = store.redeem_code(digest('c'), kOidcNow);
      if (!redeemed) {
        ++errors;
      } else if (*redeemed) {
        ++won;
      }
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(won.load(), 1);
  EXPECT_FALSE(code_exists(digest('c')));
}

TEST_P(OidcStoreContract, ARotatedRefreshTokenPresentedAgainEndsItsWholeFamily) {
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 1), "fam1", session_of('a'), ana_.id)));
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('o', 1), "fam2", session_of('a'), ana_.id)));
  // The first redemption, then its successor issued afterwards (redeem, then add).
  auto first = oidc_->redeem_refresh_token(digest('r', 1), kOidcNow);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->outcome, RefreshOutcome::kRedeemed);
  ASSERT_TRUE(first->token);
  EXPECT_EQ(first->token->family_id, "fam1");
  EXPECT_EQ(first->token->scope, "openid roles");
  EXPECT_EQ(first->token->amr, "pwd");
  EXPECT_EQ(first->token->expires_at, kOidcNow + 3600);
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 2), "fam1", session_of('a'), ana_.id)));
  // The successor's successor, by rotation (one transaction).
  auto rotated =
      oidc_->rotate_refresh_token(digest('r', 2), kOidcNow + 1,
                                  refresh(digest('r', 3), "ignored", session_of('a'), ana_.id));
  ASSERT_TRUE(rotated);
  EXPECT_EQ(rotated->outcome, RefreshOutcome::kRedeemed);
  auto third = oidc_->find_refresh_token(digest('r', 3));
  ASSERT_TRUE(third && *third);
  EXPECT_EQ((*third)->family_id, "fam1") << "a successor joins the redeemed token's family";
  EXPECT_FALSE((*third)->used);
  EXPECT_TRUE((*oidc_->find_refresh_token(digest('r', 1)))->used);

  // The first token again: reuse. Every token of the family goes, descendants included.
  auto reused = oidc_->redeem_refresh_token(digest('r', 1), kOidcNow + 2);
  ASSERT_TRUE(reused);
  EXPECT_EQ(reused->outcome, RefreshOutcome::kReused);
  ASSERT_TRUE(reused->token);
  EXPECT_EQ(reused->token->user_id, ana_.id);
  EXPECT_FALSE(refresh_exists(digest('r', 1)));
  EXPECT_FALSE(refresh_exists(digest('r', 2)));
  EXPECT_FALSE(refresh_exists(digest('r', 3)));
  EXPECT_EQ(oidc_->redeem_refresh_token(digest('r', 3), kOidcNow + 2)->outcome,
            RefreshOutcome::kUnknown);
  EXPECT_TRUE(refresh_exists(digest('o', 1))) << "another family of the same user stays";
}

TEST_P(OidcStoreContract, AnExpiredRefreshTokenIsRefusedAndDeletedAndARotationThatFailsUsesNothing) {
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 1), "fam1", session_of('a'), ana_.id)));
  auto expired = oidc_->redeem_refresh_token(digest('r', 1), kOidcNow + 3600);
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->outcome, RefreshOutcome::kExpired);
  EXPECT_FALSE(refresh_exists(digest('r', 1)));
  EXPECT_EQ(oidc_->redeem_refresh_token(digest('r', 9), kOidcNow)->outcome,
            RefreshOutcome::kUnknown);

  // A successor that cannot be stored (its session is gone) leaves the presented token unused.
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 2), "fam2", session_of('a'), ana_.id)));
  auto failed = oidc_->rotate_refresh_token(
      digest('r', 2), kOidcNow, refresh(digest('r', 3), "fam2", session_of('z'), ana_.id));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE((*oidc_->find_refresh_token(digest('r', 2)))->used);
  EXPECT_EQ(oidc_->redeem_refresh_token(digest('r', 2), kOidcNow)->outcome,
            RefreshOutcome::kRedeemed);
}

// Eight rotations of one token at once, from two connection pools: one wins; the first loser
// sees reuse and ends the family, the winner's successor included (it committed first); later
// ones find nothing left.
TEST_P(OidcStoreContract, RacingRefreshRotationsLetExactlyOneWinAndEndTheFamily) {
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 0), "fam1", session_of('a'), ana_.id)));
  auto second = env_->open_again();
  ASSERT_TRUE(second) << second.error().message;
  SqlOidcStore other(**second);
  constexpr int kRacers = 8;
  std::atomic<int> redeemed{0};
  std::atomic<int> reused{0};
  std::atomic<int> unknown{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&, i] {
      OidcStore& store = i % 2 == 0 ? static_cast<OidcStore&>(*oidc_) : other;
      auto outcome = store.rotate_refresh_token(
          digest('r', 0), kOidcNow, refresh(digest('s', i), "fam1", session_of('a'), ana_.id));
      if (!outcome) {
        ++errors;
      } else if (outcome->outcome == RefreshOutcome::kRedeemed) {
        ++redeemed;
      } else if (outcome->outcome == RefreshOutcome::kReused) {
        ++reused;
      } else if (outcome->outcome == RefreshOutcome::kUnknown) {
        ++unknown;
      }
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(redeemed.load(), 1);
  EXPECT_GE(reused.load(), 1);
  EXPECT_EQ(reused.load() + unknown.load(), kRacers - 1);
  EXPECT_FALSE(refresh_exists(digest('r', 0)));
  for (int i = 0; i < kRacers; ++i) EXPECT_FALSE(refresh_exists(digest('s', i))) << i;
}

TEST_P(OidcStoreContract, EndingASessionEndsItsCodesAndRefreshTokens) {
  ASSERT_TRUE(sessions_->add_session(Session{session_of('b'), ana_.id, kOidcNow, 0, "sb"}));
  ASSERT_TRUE(sessions_->add_session(Session{session_of('c'), ana_.id, kOidcNow, 0, "sc"}));
  for (char s : {'a', 'b', 'c'}) {
    ASSERT_TRUE(oidc_->add_code(code(digest('c', s - 'a'), session_of(s), ana_.id)));
    ASSERT_TRUE(oidc_->add_refresh_token(
        refresh(digest('r', s - 'a'), std::string("fam") + s, session_of(s), ana_.id)));
  }
  ASSERT_TRUE(sessions_->delete_session(session_of('a')));  // logout
  EXPECT_FALSE(code_exists(digest('c', 0)));
  EXPECT_FALSE(refresh_exists(digest('r', 0)));
  EXPECT_TRUE(code_exists(digest('c', 1)));
  EXPECT_TRUE(refresh_exists(digest('r', 1)));
  ASSERT_TRUE(sessions_->delete_user_sessions(ana_.id));  // every session of the user ended
  for (int i : {1, 2}) {
    EXPECT_FALSE(code_exists(digest('c', i))) << i;
    EXPECT_FALSE(refresh_exists(digest('r', i))) << i;
  }
}

TEST_P(OidcStoreContract, APasswordChangeThatEndsSessionsEndsEveryRefreshTokenOfTheUser) {
  const User bob = add_user("bob");
  ASSERT_TRUE(sessions_->add_session(Session{session_of('b'), ana_.id, kOidcNow, 0, "sb"}));
  ASSERT_TRUE(sessions_->add_session(Session{session_of('o'), bob.id, kOidcNow, 0, "so"}));
  ASSERT_TRUE(oidc_->add_code(code(digest('c', 0), session_of('a'), ana_.id)));
  ASSERT_TRUE(oidc_->add_code(code(digest('c', 1), session_of('b'), ana_.id)));
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 0), "f0", session_of('a'), ana_.id)));
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 1), "f1", session_of('b'), ana_.id)));
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 2), "f2", session_of('o'), bob.id)));

  // A rehash at login (no revocation) ends nothing.
  ASSERT_TRUE(users_->set_password_hash(ana_.id, "rehashed", SessionRevocation{}));
  EXPECT_TRUE(refresh_exists(digest('r', 0)));
  EXPECT_TRUE(refresh_exists(digest('r', 1)));

  // Changed from session a, which survives: the other session's grants go with it, and every
  // refresh token of the user goes, session a's too.
  SqlPasswordStore passwords(env_->db());
  PasswordUpdate update;
  update.hash = "new-hash";
  update.set_at = kOidcNow;
  update.revocation = SessionRevocation{true, session_of('a')};
  ASSERT_TRUE(passwords.replace_password(ana_.id, update));
  EXPECT_TRUE(code_exists(digest('c', 0)));
  EXPECT_FALSE(code_exists(digest('c', 1)));
  EXPECT_FALSE(refresh_exists(digest('r', 0)));
  EXPECT_FALSE(refresh_exists(digest('r', 1)));
  EXPECT_TRUE(refresh_exists(digest('r', 2))) << "another user's stay";

  // The same through UserStore::set_password_hash.
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 3), "f3", session_of('a'), ana_.id)));
  ASSERT_TRUE(users_->set_password_hash(ana_.id, "newer", SessionRevocation{true, session_of('a')}));
  EXPECT_FALSE(refresh_exists(digest('r', 3)));
}

TEST_P(OidcStoreContract, ARoleChangeEndsTheUsersRefreshTokensButNotTheirSessionsOrCodes) {
  const User bob = add_user("bob");
  ASSERT_TRUE(sessions_->add_session(Session{session_of('o'), bob.id, kOidcNow, 0, "so"}));
  ASSERT_TRUE(oidc_->add_code(code(digest('c', 0), session_of('a'), ana_.id)));
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 0), "f0", session_of('a'), ana_.id)));
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 2), "f2", session_of('o'), bob.id)));
  // The same role again (a directory sync) keeps them.
  ASSERT_TRUE(users_->set_user_role(ana_.id, role_.id));
  EXPECT_TRUE(refresh_exists(digest('r', 0)));

  auto other_role = roles_->add_role(Role{0, "role0000000000cd", "viewer", 50});
  ASSERT_TRUE(other_role);
  ASSERT_TRUE(users_->set_user_role(ana_.id, other_role->id));
  EXPECT_FALSE(refresh_exists(digest('r', 0)));
  EXPECT_TRUE(refresh_exists(digest('r', 2)));
  EXPECT_TRUE(*sessions_->find_session(session_of('a'))) << "sessions stay";
  EXPECT_TRUE(code_exists(digest('c', 0)));
  // A role that does not exist changes nothing.
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 1), "f1", session_of('a'), ana_.id)));
  EXPECT_EQ(users_->set_user_role(ana_.id, 999999).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(refresh_exists(digest('r', 1)));
}

TEST_P(OidcStoreContract, DeletingTheUserOrRemovingTheClientEndsTheirGrants) {
  ASSERT_TRUE(oidc_->add_client(client("c2", "grafana")));
  const User bob = add_user("bob");
  ASSERT_TRUE(sessions_->add_session(Session{session_of('o'), bob.id, kOidcNow, 0, "so"}));
  ASSERT_TRUE(oidc_->add_code(code(digest('c', 0), session_of('a'), ana_.id)));
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 0), "f0", session_of('a'), ana_.id)));
  ASSERT_TRUE(oidc_->add_code(code(digest('c', 1), session_of('o'), bob.id)));
  ASSERT_TRUE(oidc_->add_code(code(digest('c', 2), session_of('o'), bob.id, "c2")));
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 1), "f1", session_of('o'), bob.id)));
  ASSERT_TRUE(
      oidc_->add_refresh_token(refresh(digest('r', 2), "f2", session_of('o'), bob.id, "c2")));

  ASSERT_TRUE(users_->delete_user(ana_.id));
  EXPECT_FALSE(code_exists(digest('c', 0)));
  EXPECT_FALSE(refresh_exists(digest('r', 0)));
  EXPECT_TRUE(code_exists(digest('c', 1)));

  ASSERT_TRUE(oidc_->remove_client("c1"));
  EXPECT_FALSE(code_exists(digest('c', 1)));
  EXPECT_FALSE(refresh_exists(digest('r', 1)));
  EXPECT_TRUE(code_exists(digest('c', 2)));
  EXPECT_TRUE(refresh_exists(digest('r', 2)));
}

TEST_P(OidcStoreContract, FamiliesAreRevokedUsersTokensDeletedAndExpiredGrantsSwept) {
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 0), "f0", session_of('a'), ana_.id)));
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 1), "f0", session_of('a'), ana_.id)));
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 2), "f2", session_of('a'), ana_.id)));
  EXPECT_EQ(oidc_->refresh_family_exists("f0").value_or(false), true);
  ASSERT_TRUE(oidc_->revoke_refresh_family("f0"));
  EXPECT_EQ(oidc_->refresh_family_exists("f0").value_or(true), false);
  EXPECT_EQ(oidc_->refresh_family_exists("f2").value_or(false), true);
  EXPECT_FALSE(refresh_exists(digest('r', 0)));
  EXPECT_FALSE(refresh_exists(digest('r', 1)));
  EXPECT_TRUE(refresh_exists(digest('r', 2)));
  ASSERT_TRUE(oidc_->revoke_refresh_family("unknown"));
  ASSERT_TRUE(oidc_->delete_user_refresh_tokens(ana_.id));
  EXPECT_FALSE(refresh_exists(digest('r', 2)));

  OidcRefreshToken old = refresh(digest('r', 3), "f3", session_of('a'), ana_.id);
  old.expires_at = kOidcNow;
  old.used = true;
  ASSERT_TRUE(oidc_->add_refresh_token(old));
  ASSERT_TRUE(oidc_->add_refresh_token(refresh(digest('r', 4), "f3", session_of('a'), ana_.id)));
  OidcCode stale = code(digest('c', 0), session_of('a'), ana_.id);
  stale.expires_at = kOidcNow - 1;
  ASSERT_TRUE(oidc_->add_code(stale));
  ASSERT_TRUE(oidc_->add_code(code(digest('c', 1), session_of('a'), ana_.id)));
  ASSERT_TRUE(oidc_->delete_expired_oidc_grants(kOidcNow));
  EXPECT_FALSE(refresh_exists(digest('r', 3)));
  EXPECT_TRUE(refresh_exists(digest('r', 4)));
  EXPECT_FALSE(code_exists(digest('c', 0)));
  EXPECT_TRUE(code_exists(digest('c', 1)));
}

TEST_P(OidcStoreContract, RevokedAccessTokensAreRememberedUntilTheyExpire) {
  EXPECT_EQ(oidc_->access_token_revoked("jti-1").value_or(true), false);
  ASSERT_TRUE(oidc_->revoke_access_token("jti-1", kOidcNow + 300));
  ASSERT_TRUE(oidc_->revoke_access_token("jti-1", kOidcNow + 300)) << "twice is no error";
  ASSERT_TRUE(oidc_->revoke_access_token("jti-2", kOidcNow));
  EXPECT_EQ(oidc_->access_token_revoked("jti-1").value_or(false), true);
  EXPECT_EQ(oidc_->access_token_revoked("jti-3").value_or(true), false);
  ASSERT_TRUE(oidc_->delete_expired_oidc_grants(kOidcNow));
  EXPECT_EQ(oidc_->access_token_revoked("jti-1").value_or(false), true);
  EXPECT_EQ(oidc_->access_token_revoked("jti-2").value_or(true), false) << "expired: swept";
  EXPECT_FALSE(oidc_->revoke_access_token("", kOidcNow + 1));
}

INSTANTIATE_TEST_SUITE_P(Engines, OidcStoreContract, contract::all_backends(),
                         contract::backend_name);

}  // namespace
}  // namespace automation::storage
