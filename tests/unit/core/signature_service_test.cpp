// Electronic signatures in the core (docs/signatures.md): the §11.200 components, the meaning's
// role rule, countersigning by another person, reading rights, audit in the same unit of work,
// and the seal binding every field. The real binary, database and Ed25519 are checked by
// tests/integration/signatures_test.cpp.

#include <gtest/gtest.h>

#include "automation/core/signature_api.hpp"
#include "automation/core/signature_encoding.hpp"
#include "core_fixture.hpp"
#include "signature_fakes.hpp"

namespace automation::testing {
namespace {

const std::string kDigest(64, 'a');
const std::string kOtherDigest(64, 'b');

class Signatures : public CoreTest {
 protected:
  void SetUp() override {
    CoreTest::SetUp();
    rebuild_with_signatures();
  }

  void rebuild_with_signatures() {
    api.reset();
    core = std::make_unique<UsersCore>(
        CorePorts{stores, stores, stores, stores, stores, stores, stores, stores, hasher, random,
                  digester, jwt, clock, units},
        settings, "0123456789abcdef0123456789abcdef");
    core->enable_signatures(signature_store, sealer, checker);
    api = std::make_unique<AuthorizedApi>(*core);
    ASSERT_TRUE(core->signatures()->publish_current_key());
  }

  SignatureApi& signatures() { return api->signatures(); }

  static SignRequest request(std::optional<std::string> username, std::string meaning = "performed",
                             std::string password = "password123") {
    SignRequest r;
    r.username = std::move(username);
    r.password = std::move(password);
    r.meaning = std::move(meaning);
    r.record_type = "batch";
    r.record_id = "B-1042";
    r.record_digest = kDigest;
    return r;
  }

  static SignRequest countersign(const std::string& id, std::optional<std::string> username) {
    SignRequest r;
    r.username = std::move(username);
    r.password = "password123";
    r.meaning = "verified";
    r.verifies = id;
    return r;
  }

  bool has_event(const std::string& outcome) {
    auto events = stores.recent_events({.limit = 1000});
    return std::any_of(events->begin(), events->end(), [&](const AuditEvent& e) {
      return e.event == "signature" && e.outcome == outcome;
    });
  }

  InMemorySignatureStore signature_store;
  FakeSealer sealer;
  FakeSealChecker checker;
  UnitWithSignatures units{stores, signature_store};
};

TEST_F(Signatures, TheFirstSignatureOfASessionNeedsUsernameAndPassword) {
  add_user("olga", "operator");
  const Caller olga = session_of("olga");
  auto without = signatures().sign(olga, request(std::nullopt));
  ASSERT_FALSE(without);
  EXPECT_EQ(without.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(without.error().fields.contains("username"));
  EXPECT_EQ(hasher.verify_calls, 1) << "only the login's: a refused request runs no KDF";
  EXPECT_TRUE(signature_store.state.signatures.empty());

  auto with = signatures().sign(olga, request("olga"));
  ASSERT_TRUE(with) << with.error().message;
  EXPECT_EQ(with->signature.authentication, kSignedWithUsernameAndPassword);
  EXPECT_EQ(with->signature.username, "olga");
  EXPECT_EQ(with->signature.role, "operator");
  EXPECT_EQ(with->signature.record.digest, kDigest);
  EXPECT_EQ(with->signature.signed_at, clock.now());
  EXPECT_TRUE(with->intact);
  EXPECT_TRUE(has_event("success"));
}

TEST_F(Signatures, LaterSignaturesOfTheSameSessionNeedThePasswordOnly) {
  add_user("olga", "operator");
  const Caller olga = session_of("olga");
  ASSERT_TRUE(signatures().sign(olga, request("olga")));
  auto second = signatures().sign(olga, request(std::nullopt));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->signature.authentication, kSignedWithPassword);
  // A wrong password is refused there too: the password is always checked.
  auto wrong = signatures().sign(olga, request(std::nullopt, "performed", "wrong-password"));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().type, kInvalidSignatureCredentials);

  // Another session (a new login) is not continuous with the first: both components again.
  const Caller again = session_of("olga");
  auto fresh = signatures().sign(again, request(std::nullopt));
  ASSERT_FALSE(fresh);
  EXPECT_TRUE(fresh.error().fields.contains("username"));
}

TEST_F(Signatures, AWrongPasswordIsAFailedLoginAndThrottles) {
  settings.login_max_failures = 2;
  rebuild_with_signatures();
  add_user("olga", "operator");
  const Caller olga = session_of("olga");
  for (int i = 0; i < 2; ++i) {
    auto wrong = signatures().sign(olga, request("olga", "performed", "wrong-password"));
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(wrong.error().type, kInvalidSignatureCredentials);
  }
  EXPECT_TRUE(has_event("failure"));
  auto right = signatures().sign(olga, request("olga"));
  ASSERT_FALSE(right) << "throttled even with the right password";
  EXPECT_EQ(right.error().code, ErrorCode::kThrottled);
  EXPECT_GT(right.error().retry_after_seconds, 0);
  // The same count as logins: the login is throttled too.
  auto login = core->login(Credentials{"olga", std::nullopt, "password123"}, "10.0.0.1");
  ASSERT_FALSE(login);
  EXPECT_EQ(login.error().code, ErrorCode::kThrottled);
  EXPECT_TRUE(signature_store.state.signatures.empty());
}

TEST_F(Signatures, SomeoneElsesCredentialsDoNotSignOnThisSession) {
  add_user("olga", "operator");
  add_user("omar", "operator");
  const Caller olga = session_of("olga");
  auto borrowed = signatures().sign(olga, request("omar"));
  ASSERT_FALSE(borrowed);
  EXPECT_EQ(borrowed.error().type, kInvalidSignatureCredentials);
  EXPECT_TRUE(signature_store.state.signatures.empty());
}

TEST_F(Signatures, ARoleNotAllowedCannotSignTheMeaning) {
  add_user("olga", "operator");
  add_user("gus", "guest");
  auto operator_approves = signatures().sign(session_of("olga"), request("olga", "approved"));
  ASSERT_FALSE(operator_approves);
  EXPECT_EQ(operator_approves.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(operator_approves.error().message, "Access denied. Required role level: <= 2");
  auto guest_performs = signatures().sign(session_of("gus"), request("gus"));
  ASSERT_FALSE(guest_performs);
  EXPECT_EQ(guest_performs.error().code, ErrorCode::kPermissionDenied);
  EXPECT_TRUE(has_event("denied"));
  EXPECT_EQ(hasher.verify_calls, 2) << "the logins only: refused before the password check";
}

TEST_F(Signatures, UnknownMeaningAndBadFieldsAreNamed) {
  add_user("olga", "operator");
  SignRequest bad = request("olga", "blessed");
  bad.record_digest = "not-a-digest";
  bad.record_type = "bad type";
  bad.comment = std::string("\xE2\x80\xAE", 3) + "reversed";  // U+202E RIGHT-TO-LEFT OVERRIDE
  auto refused = signatures().sign(session_of("olga"), bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  for (const char* field : {"meaning", "record_digest", "record_type", "comment"}) {
    EXPECT_TRUE(refused.error().fields.contains(field)) << field;
  }
  SignRequest no_record = request("olga");
  no_record.record_id.reset();
  auto missing = signatures().sign(session_of("olga"), no_record);
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().fields.contains("record_id"));
}

TEST_F(Signatures, AMeaningMayRequireAComment) {
  settings.signatures.comment_required = {"approved"};
  rebuild_with_signatures();
  add_user("sam", "supervisor");
  const Caller sam = session_of("sam");
  auto without = signatures().sign(sam, request("sam", "approved"));
  ASSERT_FALSE(without);
  EXPECT_TRUE(without.error().fields.contains("comment"));
  SignRequest with = request("sam", "approved");
  with.comment = "Released after QC review\nline two";
  auto signed_with = signatures().sign(sam, with);
  ASSERT_TRUE(signed_with) << signed_with.error().message;
  EXPECT_EQ(signed_with->signature.comment, "Released after QC review\nline two");
}

TEST_F(Signatures, ThirdPartyTokensCannotSign) {
  auto created = core->create_tpt(TptRequest{"admin", std::nullopt, ""}, "system");
  ASSERT_TRUE(created);
  auto principal = api->authenticate(created->token);
  ASSERT_TRUE(principal);
  auto refused = signatures().sign(Caller{*principal, "10.0.0.1"}, request("system"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(Signatures, SigningOffWhenNoMeaningIsConfigured) {
  settings.signatures.meanings.clear();
  rebuild_with_signatures();
  add_user("olga", "operator");
  auto refused = signatures().sign(session_of("olga"), request("olga"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kPermissionDenied);
}

TEST_F(Signatures, CountersigningIsForAnotherPersonOnce) {
  settings.signatures.verification_required = {"performed"};
  rebuild_with_signatures();
  add_user("olga", "operator");
  add_user("sam", "supervisor");
  add_user("sue", "supervisor");
  auto performed = signatures().sign(session_of("olga"), request("olga"));
  ASSERT_TRUE(performed);
  EXPECT_TRUE(performed->verification_required);
  const std::string id = performed->signature.id;

  // The signer cannot verify, whatever name they use now.
  add_user("sven", "supervisor");
  auto own = signatures().sign(session_of("sven"), request("sven", "performed"));
  ASSERT_TRUE(own);
  ASSERT_TRUE(core->users().edit_user("sven", UserEdit{std::nullopt, "Sven", "Renamed"}));
  auto self = signatures().sign(session_of("sven"), countersign(own->signature.id, "sven"));
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().code, ErrorCode::kRuleViolation);
  EXPECT_EQ(self.error().type, "verifier_is_signer");

  // An operator may not sign "verified" (max level 2).
  add_user("otto", "operator");
  auto low = signatures().sign(session_of("otto"), countersign(id, "otto"));
  ASSERT_FALSE(low);
  EXPECT_EQ(low.error().code, ErrorCode::kPermissionDenied);

  // Another record is refused; the same one (or none named) is taken from the signature.
  SignRequest other_record = countersign(id, "sam");
  other_record.record_digest = kOtherDigest;
  auto moved = signatures().sign(session_of("sam"), other_record);
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().type, "record_mismatch");

  auto verified = signatures().sign(session_of("sam"), countersign(id, "sam"));
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->signature.verifies, id);
  EXPECT_EQ(verified->signature.record.digest, kDigest);
  EXPECT_EQ(verified->signature.record.id, "B-1042");

  auto twice = signatures().sign(session_of("sue"), countersign(id, "sue"));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kAlreadyExists);

  auto of_verification =
      signatures().sign(session_of("sue"), countersign(verified->signature.id, "sue"));
  ASSERT_FALSE(of_verification);
  EXPECT_EQ(of_verification.error().code, ErrorCode::kRuleViolation);

  auto unknown = signatures().sign(session_of("sue"), countersign(std::string(32, 'f'), "sue"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);

  // The original now shows its verification.
  auto shown = signatures().get(session_of("olga"), id);
  ASSERT_TRUE(shown);
  ASSERT_TRUE(shown->verification);
  EXPECT_EQ(shown->verification->username, "sam");
}

TEST_F(Signatures, ReadingIsForTheSignerAdminSudoAndAuditor) {
  add_user("olga", "operator");
  add_user("omar", "operator");
  add_user("aud", "auditor");
  add_user("adm", "admin");
  auto made = signatures().sign(session_of("olga"), request("olga"));
  ASSERT_TRUE(made);
  const std::string id = made->signature.id;
  EXPECT_TRUE(signatures().get(session_of("olga"), id));
  EXPECT_TRUE(signatures().get(session_of("aud"), id));
  EXPECT_TRUE(signatures().get(session_of("adm"), id));
  auto other = signatures().get(session_of("omar"), id);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code, ErrorCode::kPermissionDenied);
  EXPECT_FALSE(signatures().verify(session_of("omar"), id, std::nullopt));

  SignatureQuery record{"batch", "B-1042", 100};
  auto omar_list = signatures().list(session_of("omar"), record);
  ASSERT_TRUE(omar_list);
  EXPECT_TRUE(omar_list->empty()) << "another person's signatures are left out";
  auto auditor_list = signatures().list(session_of("aud"), record);
  ASSERT_TRUE(auditor_list);
  EXPECT_EQ(auditor_list->size(), 1u);
  auto unknown = signatures().get(session_of("aud"), std::string(32, 'e'));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

TEST_F(Signatures, ASignatureWhoseAuditEventCannotBeWrittenIsNotMade) {
  add_user("olga", "operator");
  const Caller olga = session_of("olga");
  stores.audit_writes_fail = true;
  auto refused = signatures().sign(olga, request("olga"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(signature_store.state.signatures.empty());
  EXPECT_TRUE(signature_store.state.signed_sessions.empty())
      << "the session is not marked either: its next signature still needs both components";
  stores.audit_writes_fail = false;
  EXPECT_FALSE(signatures().sign(olga, request(std::nullopt)));
  EXPECT_TRUE(signatures().sign(olga, request("olga")));
}

TEST_F(Signatures, TheSealCoversEveryFieldAndTheDigestIsCompared) {
  add_user("olga", "operator");
  auto made = signatures().sign(session_of("olga"), request("olga"));
  ASSERT_TRUE(made);
  const std::string id = made->signature.id;
  auto same = signatures().verify(session_of("olga"), id, kDigest);
  ASSERT_TRUE(same);
  EXPECT_TRUE(same->view.intact);
  EXPECT_EQ(same->matches_record, std::optional<bool>(true));
  auto other = signatures().verify(session_of("olga"), id, kOtherDigest);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->matches_record, std::optional<bool>(false));

  // A field edited behind the service's back breaks the seal.
  signature_store.state.signatures.front().record.digest = kOtherDigest;
  auto edited = signatures().verify(session_of("olga"), id, kOtherDigest);
  ASSERT_TRUE(edited);
  EXPECT_FALSE(edited->view.intact);
  EXPECT_NE(edited->view.problem.find("seal does not match"), std::string::npos);

  auto verifier = core->signatures()->make_verifier();
  ASSERT_TRUE(verifier);
  auto walk = core->signatures()->verify_all(**verifier);
  ASSERT_TRUE(walk);
  ASSERT_TRUE(walk->first_problem());
  EXPECT_EQ(walk->first_problem()->signature_id, id);
}

TEST_F(Signatures, PrintedNameIsNameAndLastnameElseUsername) {
  add_user("olga", "operator");
  ASSERT_TRUE(core->users().edit_user("olga", UserEdit{std::nullopt, "Olga", "Ortiz"}));
  auto named = signatures().sign(session_of("olga"), request("olga"));
  ASSERT_TRUE(named);
  EXPECT_EQ(named->signature.printed_name, "Olga Ortiz");
  add_user("nina", "operator");
  auto plain = signatures().sign(session_of("nina"), request("nina"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->signature.printed_name, "nina");
}

TEST_F(Signatures, AnExpiredPasswordCannotSign) {
  add_user("olga", "operator");
  const Caller olga = session_of("olga");
  settings.password_policy.max_age_days = 30;
  rebuild_with_signatures();
  clock.advance(31 * 86400);
  auto refused = signatures().sign(olga, request("olga"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().type, kPasswordExpired);
}

TEST_F(Signatures, TheEncodingIsLengthPrefixedInTheDocumentedOrder) {
  Signature s;
  s.id = "i";
  s.signer_id = "s";
  s.username = "u";
  s.printed_name = "P N";
  s.role = "operator";
  s.meaning = "approved";
  s.signed_at = 1700000000;
  s.record = SignedRecord{"batch", "B:1\n2", "d"};
  s.comment = "";
  s.verifies = "";
  s.authentication = "password";
  s.key_id = "k";
  EXPECT_EQ(signature_message(s),
            "automation-signature-v1\n1:i\n1:s\n1:u\n3:P N\n8:operator\n8:approved\n"
            "10:1700000000\n5:batch\n5:B:1\n2\n1:d\n0:\n0:\n8:password\n1:k\n");
}

TEST_F(Signatures, TheCurrentKeyIsPublished) {
  auto keys = signatures().keys();
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->keys.size(), 1u);
  EXPECT_EQ(keys->current_key_id, "k1");
  EXPECT_EQ(keys->keys.front().first_used_at, clock.now());
}

}  // namespace
}  // namespace automation::testing
