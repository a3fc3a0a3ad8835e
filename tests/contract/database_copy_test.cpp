// copy_database: a SQLite database copied into each engine (SQLite, and PostgreSQL when a
// test server is configured) reads back the same through the stores, keeps its ids, and
// leaves the target ready for new rows; a target holding signatures is never replaced.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include "automation/core/audit_chain.hpp"
#include "automation/crypto/hmac_authenticator.hpp"
#include "automation/storage/database.hpp"
#include "automation/storage/database_copy.hpp"
#include "automation/storage/sql_audit_store.hpp"
#include "automation/storage/sql_oidc_store.hpp"
#include "automation/storage/sql_role_store.hpp"
#include "automation/storage/sql_session_store.hpp"
#include "automation/storage/sql_settings_store.hpp"
#include "automation/storage/sql_signature_store.hpp"
#include "automation/storage/sql_tpt_store.hpp"
#include "automation/storage/sql_user_store.hpp"
#include "test_database.hpp"

namespace automation::storage {
namespace {

using contract::Backend;
using contract::TestDatabase;

// A kept OIDC key ring's shape and size: JSON whose values hold PEM text.
const std::string kKeyRing = [] {
  std::string pem = "-----BEGIN PRIVATE KEY-----\n";
  for (int line = 0; line < 26; ++line) {
    pem.append(64, static_cast<char>('A' + line));
    pem += '\n';
  }
  pem += "-----END PRIVATE KEY-----\n";
  nlohmann::json ring = {{"version", 1}, {"keys", nlohmann::json::array()}};
  for (int key = 0; key < 4; ++key) ring["keys"].push_back({{"pem", pem}, {"current", key < 2}});
  return ring.dump();
}();

NewUser new_user(const std::string& username, std::int64_t role_id) {
  NewUser user;
  user.identifier = username + "0123456789abcdef";
  user.username = username;
  user.email = username + "@example.com";
  // Kept as stored. Appended, not literal + std::string: GCC 12 warns falsely on that form.
  user.password_hash = std::string("pbkdf2:sha256:600000$salt$").append(64, 'a');
  user.role_id = role_id;
  return user;
}

long long rows_of(const CopyReport& report, const std::string& table) {
  for (const auto& entry : report.tables) {
    if (entry.table == table) return entry.rows;
  }
  return -1;
}

class DatabaseCopy : public ::testing::TestWithParam<Backend> {
 protected:
  crypto::HmacSha256Authenticator audit_key_{std::string(32, 'k')};

  void SetUp() override {
    target_ = GetParam().make();
    if (!target_) GTEST_SKIP() << GetParam().skip_reason;
    source_ = contract::sqlite_backend().make();
    Database& db = source_->db();
    SqlRoleStore roles(db);
    SqlUserStore users(db);
    auto admin = roles.add_role(Role{0, "adminrole0000000", "admin", 1});
    ASSERT_TRUE(admin.has_value());
    admin_role_id_ = admin->id;
    // A deleted user leaves a gap: ids must be copied, not renumbered.
    auto gone = users.add_user(new_user("gone", admin->id));
    auto ana = users.add_user(new_user("ana", admin->id));
    ASSERT_TRUE(gone && ana);
    ASSERT_TRUE(users.delete_user(gone->id).has_value());
    ana_id_ = ana->id;
    ASSERT_TRUE(SqlSessionStore(db).add_session(Session{std::string(64, 'd'), ana->id, 10, 0, "5e55"}));
    ASSERT_TRUE(SqlTptStore(db).add_tpt(
        TptRecord{"jti1", "admin", "2026-01-01 00:00:00", std::nullopt, std::nullopt, "", "ana",
                  true}));
    ASSERT_TRUE(SqlSettingsStore(db).put_setting_if_absent("tpt_secret", "s3cret").has_value());
    // The OIDC key ring: several KiB of JSON holding PEM text (line breaks and all).
    ASSERT_TRUE(SqlSettingsStore(db).put_setting_if_absent("oidc_signing_keys", kKeyRing).has_value());
    ASSERT_TRUE(SqlAuditStore(db, audit_key_).append_event(
        AuditEvent{5, "login", "ana", "ana", "10.0.0.1", "denied", "why"}));
    // A signature of ana's, the key that sealed it and the mark of the session that signed.
    SqlSignatureStore signatures(db);
    ASSERT_TRUE(signatures.add_public_key({"k1", "Ed25519", "pub1", 7}));
    Signature signature;
    signature.id = std::string(32, '1');
    signature.signer_id = "ana0123456789abcdef";
    signature.username = signature.printed_name = "ana";
    signature.role = "admin";
    signature.meaning = "approved";
    signature.signed_at = 8;
    signature.record = SignedRecord{"batch", "B-1", std::string(64, 'a')};
    signature.authentication = "username+password";
    signature.key_id = "k1";
    signature.value = "seal";
    ASSERT_TRUE(signatures.add_signature(signature));
    ASSERT_TRUE(signatures.mark_session_signed(std::string(64, 'd'), 8));
    // An OpenID Connect client with a code and a refresh token issued under ana's session.
    SqlOidcStore oidc(db);
    OidcClient client;
    client.client_id = "c1";
    client.name = "Ignition";
    client.redirect_uris = {"https://hmi.example/cb", "http://10.0.0.5/cb"};
    client.secret_digest = std::string(64, 'e');
    client.created_by = "cli";
    ASSERT_TRUE(oidc.add_client(client));
    ASSERT_TRUE(oidc.add_code(OidcCode{std::string(64, 'c'), "c1", "https://hmi.example/cb",
                                       std::string(64, 'd'), ana->id, "openid", "n", "ch", 9,
                                       "pwd", 4'000'000'000}));
    ASSERT_TRUE(oidc.add_refresh_token(OidcRefreshToken{std::string(64, 'r'), "f1", "c1",
                                                        std::string(64, 'd'), ana->id, "openid",
                                                        9, "pwd", 9, 4'000'000'000, true}));
  }

  Result<CopyReport> copy(bool replace) {
    auto source = open_sqlite_source(source_->options().file);
    if (!source) return fail(source.error());
    return copy_database(**source, target_->db(), replace);
  }

  std::unique_ptr<TestDatabase> source_;
  std::unique_ptr<TestDatabase> target_;
  std::int64_t admin_role_id_ = 0;
  std::int64_t ana_id_ = 0;
};

TEST_P(DatabaseCopy, EveryTableArrivesWithItsIdsAndReadsBackTheSame) {
  auto report = copy(false);
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(rows_of(*report, "roles"), 1);
  EXPECT_EQ(rows_of(*report, "users"), 1);
  EXPECT_EQ(rows_of(*report, "sessions"), 1);
  EXPECT_EQ(rows_of(*report, "tpts"), 1);
  EXPECT_EQ(rows_of(*report, "settings"), 2);
  EXPECT_EQ(rows_of(*report, "audit_events"), 1);

  Database& db = target_->db();
  auto ana = SqlUserStore(db).find_user_by_username("ana");
  ASSERT_TRUE(ana && *ana);
  EXPECT_EQ((*ana)->id, ana_id_);
  EXPECT_EQ((*ana)->role.id, admin_role_id_);
  auto session = SqlSessionStore(db).find_session(std::string(64, 'd'));
  ASSERT_TRUE(session && *session);
  EXPECT_EQ((*session)->session.id, "5e55");
  auto tpt = SqlTptStore(db).find_tpt("jti1");
  ASSERT_TRUE(tpt && *tpt);
  EXPECT_TRUE((*tpt)->revoked);
  EXPECT_FALSE((*tpt)->expires_at.has_value());
  EXPECT_EQ(SqlSettingsStore(db).get_setting("tpt_secret").value(), "s3cret");
  EXPECT_EQ(SqlSettingsStore(db).get_setting("oidc_signing_keys").value(), kKeyRing);
  auto events = SqlAuditStore(db, audit_key_).recent_events({.limit = 10});
  ASSERT_TRUE(events && events->size() == 1);
  EXPECT_EQ(events->front().reason, "why");
  SqlSignatureStore signatures(db);
  auto signature = signatures.find_signature(std::string(32, '1'));
  ASSERT_TRUE(signature && *signature);
  EXPECT_EQ((*signature)->record.digest, std::string(64, 'a'));
  EXPECT_EQ(signatures.public_keys().value().size(), 1u);
  EXPECT_EQ(signatures.session_signed_at(std::string(64, 'd')).value(), 8);
  SqlOidcStore oidc(db);
  auto client = oidc.find_client_by_name("ignition");
  ASSERT_TRUE(client && *client);
  EXPECT_EQ((*client)->client_id, "c1");
  EXPECT_EQ((*client)->redirect_uris.size(), 2u);
  auto refresh = oidc.find_refresh_token(std::string(64, 'r'));
  ASSERT_TRUE(refresh && *refresh);
  EXPECT_TRUE((*refresh)->used);
  auto code = oidc.redeem_code(std::string(64, 'c'), 10);
  ASSERT_TRUE(code && *code);
  EXPECT_EQ((*code)->code_challenge, "ch");

  // New rows get ids past the copied ones (PostgreSQL: the sequences were moved on).
  auto bob = SqlUserStore(db).add_user(new_user("bob", admin_role_id_));
  ASSERT_TRUE(bob.has_value()) << bob.error().message;
  EXPECT_GT(bob->id, ana_id_);
  auto role = SqlRoleStore(db).add_role(Role{0, "newrole000000000", "maintainer", 5});
  ASSERT_TRUE(role.has_value()) << role.error().message;
  SqlAuditStore audit(db, audit_key_);
  EXPECT_TRUE(audit.append_event(AuditEvent{6, "login", "bob", "bob", "", "success", ""}));
  // The chain came along: the copied event and the new one verify as one chain.
  auto chain = verify_audit_chain(audit, audit_key_);
  ASSERT_TRUE(chain.has_value()) << chain.error().message;
  EXPECT_FALSE(chain->first_problem.has_value()) << chain->first_problem->detail;
  EXPECT_EQ(chain->events_checked, 2);
}

TEST_P(DatabaseCopy, NonEmptyTargetIsRefusedUnlessReplaced) {
  ASSERT_TRUE(SqlRoleStore(target_->db()).add_role(Role{0, "keep0000", "kept", 3}));
  auto refused = copy(false);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kRuleViolation);
  auto kept = SqlRoleStore(target_->db()).find_role("kept");
  ASSERT_TRUE(kept && *kept) << "a refused copy changes nothing";
  EXPECT_FALSE(SqlUserStore(target_->db()).find_user_by_username("ana").value().has_value());

  auto replaced = copy(true);
  ASSERT_TRUE(replaced.has_value()) << replaced.error().message;
  EXPECT_FALSE(SqlRoleStore(target_->db()).find_role("kept").value().has_value());
  EXPECT_TRUE(SqlUserStore(target_->db()).find_user_by_username("ana").value().has_value());
}

// Signatures are never deleted: a target that holds some is not replaced.
TEST_P(DatabaseCopy, ATargetHoldingSignaturesIsNeverReplaced) {
  ASSERT_TRUE(copy(false).has_value());
  auto refused = copy(true);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kRuleViolation);
  EXPECT_NE(refused.error().message.find("signatures"), std::string::npos)
      << refused.error().message;
}

TEST_P(DatabaseCopy, MissingSourceIsNotFound) {
  auto source = open_sqlite_source(source_->options().file + ".missing");
  ASSERT_FALSE(source.has_value());
  EXPECT_EQ(source.error().code, ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Engines, DatabaseCopy, contract::all_backends(), contract::backend_name);

}  // namespace
}  // namespace automation::storage
