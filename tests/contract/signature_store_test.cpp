// The signature store on a real database, on every engine: what is added reads back exactly;
// a signature has at most one verification; the database itself refuses to change or delete
// a signature (triggers), whoever asks; signatures outlive their signer; the mark of a session
// that signed goes with the session; keys are recorded once.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "automation/storage/database.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/sql_role_store.hpp"
#include "automation/storage/sql_session_store.hpp"
#include "automation/storage/sql_signature_store.hpp"
#include "automation/storage/sql_user_store.hpp"
#include "test_database.hpp"

namespace automation::storage {
namespace {

using contract::Backend;
using contract::TestDatabase;

Signature make_signature(const std::string& id, const std::string& signer_id,
                         const std::string& record_id, const std::string& verifies = "") {
  Signature s;
  s.id = id;
  s.signer_id = signer_id;
  s.username = "olga";
  s.printed_name = "Olga Ortiz";
  s.role = "operator";
  s.meaning = verifies.empty() ? "performed" : "verified";
  s.signed_at = 1'700'000'000;
  s.record = SignedRecord{"batch", record_id, std::string(64, 'a')};
  s.comment = "Ünïcode comment\nsecond line";
  s.verifies = verifies;
  s.authentication = "username+password";
  s.key_id = "21fe31dfa154a261";
  s.value.assign(86, 'A');
  s.value += "==";
  return s;
}

class SignatureStoreContract : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = GetParam().make();
    if (!env_) GTEST_SKIP() << GetParam().skip_reason;
    store_ = std::make_unique<SqlSignatureStore>(env_->db());
  }

  // Runs SQL directly, as someone with write access to the database would.
  Status run_sql(const std::string& statement) {
    return env_->db().transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
      sql << statement;
      return {};
    });
  }

  long long count(const std::string& table) {
    long long rows = -1;
    auto done = env_->db().with_session([&](soci::session& sql) -> Status {
      sql << "SELECT COUNT(*) FROM " + table, soci::into(rows);
      return {};
    });
    EXPECT_TRUE(done.has_value());
    return rows;
  }

  // A user with one session whose digest is returned.
  std::string user_with_session(User* user_out = nullptr) {
    SqlRoleStore roles(env_->db());
    SqlUserStore users(env_->db());
    SqlSessionStore sessions(env_->db());
    auto role = roles.add_role(Role{0, "role0000000000000001", "operator", 10});
    EXPECT_TRUE(role.has_value());
    NewUser user;
    user.identifier = "00112233445566778899aabbccddeeff";
    user.username = "olga";
    user.email = "olga@plant.local";
    user.password_hash = "x";
    user.role_id = role ? role->id : 0;
    auto added = users.add_user(user);
    EXPECT_TRUE(added.has_value());
    if (user_out && added) *user_out = *added;
    const std::string digest(64, 'd');
    Session session{digest, added ? added->id : 0, 1'700'000'000, 0, "sessionid0000001"};
    EXPECT_TRUE(sessions.add_session(session).has_value());
    return digest;
  }

  std::unique_ptr<TestDatabase> env_;
  std::unique_ptr<SqlSignatureStore> store_;
};

TEST_P(SignatureStoreContract, WhatIsAddedReadsBackExactly) {
  const Signature first = make_signature(std::string(32, '1'), "signer-1", "B-1");
  ASSERT_TRUE(store_->add_signature(first));
  auto found = store_->find_signature(first.id);
  ASSERT_TRUE(found && *found);
  const Signature& s = **found;
  EXPECT_EQ(s.id, first.id);
  EXPECT_EQ(s.signer_id, first.signer_id);
  EXPECT_EQ(s.printed_name, first.printed_name);
  EXPECT_EQ(s.signed_at, first.signed_at);
  EXPECT_EQ(s.record.type, "batch");
  EXPECT_EQ(s.record.id, "B-1");
  EXPECT_EQ(s.record.digest, first.record.digest);
  EXPECT_EQ(s.comment, first.comment);
  EXPECT_EQ(s.verifies, "");
  EXPECT_EQ(s.authentication, first.authentication);
  EXPECT_EQ(s.key_id, first.key_id);
  EXPECT_EQ(s.value, first.value);
  auto missing = store_->find_signature(std::string(32, '9'));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TEST_P(SignatureStoreContract, ASignatureHasAtMostOneVerification) {
  const std::string original(32, '1');
  ASSERT_TRUE(store_->add_signature(make_signature(original, "signer-1", "B-1")));
  ASSERT_TRUE(store_->add_signature(make_signature(std::string(32, '2'), "signer-2", "B-1",
                                                   original)));
  auto second = store_->add_signature(make_signature(std::string(32, '3'), "signer-3", "B-1",
                                                     original));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kAlreadyExists);
  EXPECT_TRUE(second.error().fields.contains("verifies"));
  auto verification = store_->find_verification(original);
  ASSERT_TRUE(verification && *verification);
  EXPECT_EQ((*verification)->id, std::string(32, '2'));
  // First signatures (no `verifies`) are many: NULL is not a duplicate.
  EXPECT_TRUE(store_->add_signature(make_signature(std::string(32, '4'), "signer-1", "B-2")));
}

TEST_P(SignatureStoreContract, ListsFilterByRecordAndSignerNewestFirst) {
  ASSERT_TRUE(store_->add_signature(make_signature(std::string(32, '1'), "a", "B-1")));
  ASSERT_TRUE(store_->add_signature(make_signature(std::string(32, '2'), "b", "B-1")));
  ASSERT_TRUE(store_->add_signature(make_signature(std::string(32, '3'), "a", "B-2")));
  auto record = store_->list_signatures("batch", "B-1", std::nullopt, 100);
  ASSERT_TRUE(record);
  ASSERT_EQ(record->size(), 2u);
  EXPECT_EQ(record->front().id, std::string(32, '2'));
  auto own = store_->list_signatures("batch", "B-1", std::string("a"), 100);
  ASSERT_TRUE(own);
  ASSERT_EQ(own->size(), 1u);
  auto signer = store_->list_signatures(std::nullopt, std::nullopt, std::string("a"), 100);
  ASSERT_TRUE(signer);
  EXPECT_EQ(signer->size(), 2u);
  auto limited = store_->list_signatures(std::nullopt, std::nullopt, std::nullopt, 1);
  ASSERT_TRUE(limited);
  ASSERT_EQ(limited->size(), 1u);
  EXPECT_EQ(limited->front().id, std::string(32, '3'));

  std::int64_t next = 0;
  auto page = store_->signatures_in_order(0, 2, next);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ(page->front().id, std::string(32, '1'));
  auto rest = store_->signatures_in_order(next, 2, next);
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ(rest->front().id, std::string(32, '3'));
}

TEST_P(SignatureStoreContract, TheDatabaseRefusesToChangeOrDeleteASignature) {
  ASSERT_TRUE(store_->add_signature(make_signature(std::string(32, '1'), "signer-1", "B-1")));
  for (const std::string& statement :
       {std::string("UPDATE signatures SET record_digest = '") + std::string(64, 'b') + "'",
        std::string("UPDATE signatures SET comment = 'edited'"),
        std::string("DELETE FROM signatures")}) {
    const Status refused = run_sql(statement);
    EXPECT_FALSE(refused) << statement << " was allowed on " << GetParam().name;
  }
  if (GetParam().name == "Postgresql") {
    EXPECT_FALSE(run_sql("TRUNCATE signatures")) << "TRUNCATE was allowed";
  }
  auto kept = store_->find_signature(std::string(32, '1'));
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ((*kept)->record.digest, std::string(64, 'a'));
  EXPECT_EQ((*kept)->comment, "Ünïcode comment\nsecond line");
  EXPECT_EQ(count("signatures"), 1);
}

TEST_P(SignatureStoreContract, SignaturesOutliveTheirSigner) {
  User olga;
  user_with_session(&olga);
  ASSERT_TRUE(store_->add_signature(make_signature(std::string(32, '1'), olga.identifier, "B-1")));
  SqlUserStore users(env_->db());
  ASSERT_TRUE(users.delete_user(olga.id));
  auto kept = store_->find_signature(std::string(32, '1'));
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ((*kept)->signer_id, olga.identifier);
  EXPECT_EQ((*kept)->printed_name, "Olga Ortiz");
}

TEST_P(SignatureStoreContract, TheSigningMarkOfASessionGoesWithTheSession) {
  const std::string digest = user_with_session();
  auto before = store_->session_signed_at(digest);
  ASSERT_TRUE(before);
  EXPECT_FALSE(*before);
  ASSERT_TRUE(store_->mark_session_signed(digest, 1'700'000'100));
  ASSERT_TRUE(store_->mark_session_signed(digest, 1'700'000'200)) << "a second mark is fine";
  auto marked = store_->session_signed_at(digest);
  ASSERT_TRUE(marked && *marked);
  EXPECT_EQ(**marked, 1'700'000'100) << "the first mark stays";
  auto unknown = store_->mark_session_signed(std::string(64, 'e'), 1);
  ASSERT_FALSE(unknown) << "no such session";
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  SqlSessionStore sessions(env_->db());
  ASSERT_TRUE(sessions.delete_session(digest));
  EXPECT_EQ(count("signing_sessions"), 0);
}

TEST_P(SignatureStoreContract, KeysAreRecordedOnce) {
  ASSERT_TRUE(store_->add_public_key({"k1", "Ed25519", "pub1", 100}));
  ASSERT_TRUE(store_->add_public_key({"k1", "Ed25519", "pub1", 300}));
  ASSERT_TRUE(store_->add_public_key({"k0", "Ed25519", "pub0", 200}));
  auto keys = store_->public_keys();
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ(keys->front().key_id, "k1");
  EXPECT_EQ(keys->front().first_used_at, 100);
  EXPECT_EQ(keys->back().key_id, "k0");
}

INSTANTIATE_TEST_SUITE_P(Engines, SignatureStoreContract, contract::all_backends(),
                         contract::backend_name);

}  // namespace
}  // namespace automation::storage
