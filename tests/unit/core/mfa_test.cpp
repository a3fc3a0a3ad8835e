// Multi-factor authentication in the core (MfaService, LoginService and AuthorizedApi's MFA
// operations) over in-memory ports; the same rules run end to end, with codes from oathtool,
// in tests/integration/mfa_test.cpp.

#include <gtest/gtest.h>

#include <string>

#include "automation/core/base32.hpp"
#include "core_fixture.hpp"
#include "mfa_fakes.hpp"

namespace automation::testing {
namespace {

constexpr const char* kAddress = "10.0.0.1";

class MfaTest : public CoreTest {
 protected:
  void SetUp() override {
    mfa = &ports_;
    store_.mark_session = [this](std::string_view digest) {
      auto found = stores.find_session(digest);
      ASSERT_TRUE(found && *found);
      Session session = (*found)->session;
      session.mfa_verified = true;
      ASSERT_TRUE(stores.delete_session(digest));
      ASSERT_TRUE(stores.add_session(session));
    };
    CoreTest::SetUp();
  }

  // The code of `secret` (base32) for the time step `offset` steps from now.
  std::string code(const std::string& secret, int offset = 0) {
    const auto step = clock.now() / MfaService::kStepSeconds + offset;
    return otp_.hotp(*base32_decode(secret), static_cast<std::uint64_t>(step), 6);
  }

  // Logs in with the password alone (the user must not have MFA) and returns the caller.
  Caller caller_of(const std::string& username) { return session_of(username); }

  // The caller acting through the session with this key.
  Caller caller_of_token(const std::string& key) {
    auto principal = api->authenticate(key);
    EXPECT_TRUE(principal) << (principal ? "" : principal.error().message);
    return Caller{principal ? std::optional<Principal>(*principal) : std::nullopt, kAddress};
  }

  // Enrolls `username` (logged in by password) and confirms with the code of the previous
  // step, leaving the current and next steps for the test. Returns the secret.
  std::string enroll(const std::string& username) {
    const Caller caller = caller_of(username);
    auto started = api->begin_totp_enrollment(caller);
    EXPECT_TRUE(started) << (started ? "" : started.error().message);
    if (!started) return "";
    auto codes = api->confirm_totp_enrollment(caller, code(started->secret_base32, -1));
    EXPECT_TRUE(codes) << (codes ? "" : codes.error().message);
    if (codes) recovery_codes = *codes;
    return started->secret_base32;
  }

  Result<LoginResult> login(const std::string& username, std::optional<std::string> otp = {},
                            const std::string& address = kAddress) {
    Credentials credentials{username, std::nullopt, "password123"};
    credentials.otp = std::move(otp);
    return api->login(Caller{std::nullopt, address}, credentials);
  }

  // The mfa_token of a password login of a user with MFA.
  std::string challenge(const std::string& username, const std::string& address = kAddress) {
    auto first = login(username, std::nullopt, address);
    EXPECT_TRUE(first && first->second_factor_due());
    return first ? first->mfa_token : "";
  }

  Result<LoginResult> second_step(const std::string& token, const std::string& given,
                                  const std::string& address = kAddress) {
    return api->login_second_factor(Caller{std::nullopt, address}, token, given);
  }

  bool has_event(const std::string& event, const std::string& outcome,
                 const std::string& reason_part = "") {
    for (const AuditEvent& e : stores.events()) {
      if (e.event == event && e.outcome == outcome &&
          e.reason.find(reason_part) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  InMemoryMfaStore store_;
  InMemoryMfaChallengeStore challenges_;
  FakeOtp otp_;
  FakeSecretBox box_;
  MfaPorts ports_{store_, challenges_, otp_, box_};
  RecoveryCodes recovery_codes;
};

TEST_F(MfaTest, ConfirmedEnrollmentMakesTheLoginAskForTheSecondFactor) {
  add_user("ana", "operator");
  const std::string secret = enroll("ana");
  ASSERT_FALSE(secret.empty());
  auto first = login("ana");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->second_factor_due());
  EXPECT_TRUE(first->api_key.empty()) << "no session before the second factor";
  EXPECT_EQ(first->mfa_token_expires_at - clock.now(), LoginService::kChallengeSeconds);
  EXPECT_TRUE(has_event("mfa_challenge", "success"));

  auto second = second_step(first->mfa_token, code(secret));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_FALSE(second->api_key.empty());
  EXPECT_EQ(second->second_factor, SecondFactor::kTotp);
  EXPECT_EQ(second->user.username, "ana");
  auto principal = api->authenticate(second->api_key);
  ASSERT_TRUE(principal);
  EXPECT_TRUE(has_event("login", "success", "amr=pwd,otp"));
}

TEST_F(MfaTest, ACodeIsAcceptedOnceAndNoOlderOneAfterIt) {
  add_user("ana", "operator");
  const std::string secret = enroll("ana");  // used the previous step
  ASSERT_TRUE(second_step(challenge("ana"), code(secret, +1)));
  auto replay = second_step(challenge("ana"), code(secret, +1));
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(replay.error().type, kMfaInvalidCode);
  // The current step is older than the one used: refused too (RFC 6238 section 5.2).
  EXPECT_FALSE(second_step(challenge("ana"), code(secret, 0)));
}

TEST_F(MfaTest, OnlyThePreviousCurrentAndNextStepAreAccepted) {
  add_user("ana", "operator");
  add_user("bob", "operator");
  const std::string secret = enroll("ana");
  EXPECT_FALSE(second_step(challenge("ana"), code(secret, +2)));
  EXPECT_TRUE(second_step(challenge("ana"), code(secret, 0)));
  EXPECT_TRUE(second_step(challenge("ana"), code(secret, +1)));
  const std::string bobs = enroll("bob");  // step -1 used
  EXPECT_FALSE(second_step(challenge("bob"), code(bobs, -2)));
}

TEST_F(MfaTest, OtpWithThePasswordLogsInInOneRequestAndAWrongOneOpensNothing) {
  add_user("ana", "operator");
  const std::string secret = enroll("ana");
  const std::size_t sessions = stores.session_count();
  auto wrong = login("ana", std::string("000000") == code(secret) ? "111111" : "000000");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().type, kMfaInvalidCode);
  EXPECT_EQ(stores.session_count(), sessions);
  auto right = login("ana", code(secret));
  ASSERT_TRUE(right) << right.error().message;
  EXPECT_FALSE(right->api_key.empty());
  EXPECT_EQ(right->second_factor, SecondFactor::kTotp);
}

TEST_F(MfaTest, ABlankOtpAsksForTheCodeInsteadOfCountingAGuess) {
  settings.mfa.max_failures = 1;
  rebuild();
  add_user("ana", "operator");
  const std::string secret = enroll("ana");
  for (const char* blank : {"", "  "}) {
    auto asked = login("ana", std::string(blank));
    ASSERT_TRUE(asked) << asked.error().message;
    EXPECT_TRUE(asked->second_factor_due());
  }
  EXPECT_TRUE(second_step(challenge("ana"), code(secret))) << "no wrong code was counted";
}

TEST_F(MfaTest, OtpIsIgnoredForAnAccountWithoutMfa) {
  add_user("ana", "operator");
  auto login_result = login("ana", std::string("123456"));
  ASSERT_TRUE(login_result);
  EXPECT_FALSE(login_result->api_key.empty());
  EXPECT_EQ(login_result->second_factor, SecondFactor::kNone);
  EXPECT_TRUE(has_event("login", "success", "amr=pwd"));
}

TEST_F(MfaTest, WrongCodesAreLimitedPerAccountApartFromPasswords) {
  settings.mfa.max_failures = 3;
  rebuild();
  add_user("ana", "operator");
  const std::string secret = enroll("ana");
  const std::string token = challenge("ana");
  for (int i = 0; i < 3; ++i) {
    auto wrong = second_step(token, "999999" == code(secret) ? "888888" : "999999");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated) << i;
  }
  auto throttled = second_step(token, code(secret));  // even the right code waits now
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().code, ErrorCode::kThrottled);
  EXPECT_GT(throttled.error().retry_after_seconds, 0);
  EXPECT_TRUE(has_event("login", "throttled"));
  // The password limit is another count: the password still works (and issues a token).
  auto password = login("ana");
  ASSERT_TRUE(password) << password.error().message;
  // The window passes: the right code works again, with the same token still valid.
  clock.advance(settings.login_window_seconds);
  EXPECT_FALSE(second_step(token, code(secret))) << "the token expired meanwhile";
  EXPECT_TRUE(second_step(challenge("ana"), code(secret)));
}

TEST_F(MfaTest, WrongPasswordsDoNotCountAgainstTheCodes) {
  settings.mfa.max_failures = 2;
  settings.login_max_failures = 50;
  rebuild();
  add_user("ana", "operator");
  const std::string secret = enroll("ana");
  for (int i = 0; i < 5; ++i) {
    Credentials wrong{std::string("ana"), std::nullopt, "wrong-password"};
    wrong.otp = "000000";
    EXPECT_FALSE(api->login(Caller{std::nullopt, kAddress}, wrong));
  }
  EXPECT_TRUE(second_step(challenge("ana"), code(secret)))
      << "a code is only checked after a right password";
}

TEST_F(MfaTest, ARightCodeResetsTheCount) {
  settings.mfa.max_failures = 2;
  rebuild();
  add_user("ana", "operator");
  const std::string secret = enroll("ana");
  const std::string wrong = "999999" == code(secret, 0) || "999999" == code(secret, 1)
                                ? "888888"
                                : "999999";
  EXPECT_FALSE(second_step(challenge("ana"), wrong));
  EXPECT_TRUE(second_step(challenge("ana"), code(secret, 0)));
  EXPECT_FALSE(second_step(challenge("ana"), wrong));
  EXPECT_TRUE(second_step(challenge("ana"), code(secret, 1))) << "one failure counted, not two";
}

TEST_F(MfaTest, RecoveryCodesWorkOnceEachInAnyCaseAndCountDown) {
  add_user("ana", "operator");
  enroll("ana");
  ASSERT_EQ(recovery_codes.size(), 10u);
  const std::string first = recovery_codes[0];
  EXPECT_EQ(first.size(), 19u) << "four groups of four: " << first;
  std::string typed = first;  // lower case, no dashes: the same code
  std::erase(typed, '-');
  for (char& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto used = second_step(challenge("ana"), typed);
  ASSERT_TRUE(used) << used.error().message;
  EXPECT_EQ(used->second_factor, SecondFactor::kRecoveryCode);
  EXPECT_EQ(used->recovery_codes_left, 9);
  EXPECT_TRUE(has_event("mfa_recovery_code_used", "success", "9 recovery codes left"));
  EXPECT_TRUE(has_event("login", "success", "amr=pwd,recovery"));
  EXPECT_FALSE(second_step(challenge("ana"), first)) << "single use";
  auto status = api->mfa_status(caller_of_token(used->api_key));
  ASSERT_TRUE(status);
  EXPECT_EQ(status->recovery_codes_left, 9);
}

TEST_F(MfaTest, TheTokenIsSingleUseBoundToItsAddressAndExpires) {
  add_user("ana", "operator");
  const std::string secret = enroll("ana");
  const std::string token = challenge("ana", "10.0.0.7");
  auto elsewhere = second_step(token, code(secret, 0), "10.0.0.8");
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().type, "invalid_mfa_token");
  ASSERT_TRUE(second_step(token, code(secret, 0), "10.0.0.7"));
  EXPECT_EQ(second_step(token, code(secret, 1), "10.0.0.7").error().type, "invalid_mfa_token")
      << "used";
  const std::string late = challenge("ana");
  clock.advance(LoginService::kChallengeSeconds);
  EXPECT_EQ(second_step(late, code(secret, 0)).error().type, "invalid_mfa_token") << "expired";
  EXPECT_EQ(second_step("", "123456").error().type, "invalid_mfa_token");
  EXPECT_EQ(second_step("not-a-token", "123456").error().type, "invalid_mfa_token");
}

TEST_F(MfaTest, APendingEnrollmentChangesNothingUntilConfirmedWithARightCode) {
  add_user("ana", "operator");
  const Caller caller = caller_of("ana");
  auto started = api->begin_totp_enrollment(caller);
  ASSERT_TRUE(started);
  EXPECT_EQ(started->secret_base32.size(), 32u) << "160 bits";
  EXPECT_TRUE(started->otpauth_uri.starts_with("otpauth://totp/automation:ana?secret=" +
                                               started->secret_base32 + "&issuer=automation"));
  auto password_only = login("ana");
  ASSERT_TRUE(password_only);
  EXPECT_FALSE(password_only->second_factor_due()) << "not active while pending";
  auto wrong = api->confirm_totp_enrollment(caller, "12345");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kRuleViolation);
  EXPECT_EQ(wrong.error().type, kMfaInvalidCode);
  auto status = api->mfa_status(caller);
  ASSERT_TRUE(status);
  EXPECT_FALSE(status->enabled);
  EXPECT_TRUE(status->pending);
  // A second start replaces the pending secret: the first one's codes no longer confirm.
  auto again = api->begin_totp_enrollment(caller);
  ASSERT_TRUE(again);
  EXPECT_FALSE(api->confirm_totp_enrollment(caller, code(started->secret_base32)));
  EXPECT_TRUE(api->confirm_totp_enrollment(caller, code(again->secret_base32)));
  EXPECT_EQ(api->begin_totp_enrollment(caller).error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(api->confirm_totp_enrollment(caller, code(again->secret_base32, 1)).error().code,
            ErrorCode::kNotFound);
}

TEST_F(MfaTest, TheSecretIsStoredSealedForItsOwner) {
  const User ana = add_user("ana", "operator");
  const std::string secret = enroll("ana");
  auto record = store_.find_totp(ana.id);
  ASSERT_TRUE(record && *record);
  EXPECT_TRUE((*record)->sealed_secret.starts_with("box:automation-mfa-totp:" + ana.identifier))
      << "sealed for this user: moved to another, it does not open";
}

TEST_F(MfaTest, RemovingNeedsThePasswordAndACode) {
  settings.login_max_failures = 50;
  rebuild();
  add_user("ana", "operator");
  const std::string secret = enroll("ana");
  auto session = second_step(challenge("ana"), code(secret, 0));
  ASSERT_TRUE(session);
  const Caller caller = caller_of_token(session->api_key);
  auto wrong_password = api->remove_mfa(caller, "not-the-password", code(secret, 1));
  ASSERT_FALSE(wrong_password);
  EXPECT_EQ(wrong_password.error().message, "Invalid password");
  auto wrong_code = api->remove_mfa(caller, "password123", "000000" == code(secret, 1) ? "1" : "000000");
  ASSERT_FALSE(wrong_code);
  EXPECT_EQ(wrong_code.error().code, ErrorCode::kRuleViolation) << "a session asks: 400, not 401";
  EXPECT_EQ(wrong_code.error().type, kMfaInvalidCode);
  ASSERT_TRUE(api->remove_mfa(caller, "password123", code(secret, 1)));
  EXPECT_TRUE(has_event("mfa_remove", "success"));
  auto password_only = login("ana");
  ASSERT_TRUE(password_only);
  EXPECT_FALSE(password_only->second_factor_due());
}

TEST_F(MfaTest, NewRecoveryCodesReplaceTheOld) {
  add_user("ana", "operator");
  const std::string secret = enroll("ana");
  const RecoveryCodes old = recovery_codes;
  auto session = second_step(challenge("ana"), code(secret, 0));
  ASSERT_TRUE(session);
  // A recovery code proves the second factor here too (and is used up).
  auto fresh = api->regenerate_recovery_codes(caller_of_token(session->api_key), "password123",
                                              old[0]);
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ(fresh->size(), 10u);
  EXPECT_FALSE(second_step(challenge("ana"), old[1])) << "the old set is gone";
  EXPECT_TRUE(second_step(challenge("ana"), (*fresh)[0]));
}

TEST_F(MfaTest, ThePolicyLetsASessionWithoutMfaOnlySetItUp) {
  settings.mfa.required_level = 1;  // admins and sudo
  rebuild();
  add_user("ana", "admin");
  add_user("bob", "operator");
  auto first = login("ana");
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->mfa_enrollment_required);
  EXPECT_TRUE(has_event("login", "success", "only setting it up is allowed"));
  auto refused = api->authenticate(first->api_key);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().type, kMfaEnrollmentRequired);
  auto enrolling = api->authenticate(first->api_key, KeyPurpose::kMfaEnrollment);
  ASSERT_TRUE(enrolling);
  const Caller caller{*enrolling, kAddress};
  // Such a session changes no one else's password (it may change its own).
  auto others = api->reset_password(caller, "bob", "new-password-1");
  ASSERT_FALSE(others);
  EXPECT_EQ(others.error().type, kMfaEnrollmentRequired);
  auto started = api->begin_totp_enrollment(caller);
  ASSERT_TRUE(started);
  ASSERT_TRUE(api->confirm_totp_enrollment(caller, code(started->secret_base32)));
  EXPECT_TRUE(api->authenticate(first->api_key)) << "the confirming session is verified now";
  // Operators are not covered; system is exempt (the break-glass account).
  auto bobs = login("bob");
  ASSERT_TRUE(bobs);
  EXPECT_FALSE(bobs->mfa_enrollment_required);
  EXPECT_TRUE(api->authenticate(bobs->api_key));
}

TEST_F(MfaTest, APromotionIntoThePolicyAppliesToLiveSessionsAtOnce) {
  settings.mfa.required_level = 1;
  rebuild();
  add_user("bob", "operator");
  auto bobs = login("bob");
  ASSERT_TRUE(bobs);
  ASSERT_TRUE(api->authenticate(bobs->api_key));
  ASSERT_TRUE(core->update_user_role("bob", "admin"));
  auto after = api->authenticate(bobs->api_key);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().type, kMfaEnrollmentRequired);
}

TEST_F(MfaTest, TheSystemAccountIsExemptFromThePolicy) {
  settings.mfa.required_level = 256;  // everyone
  rebuild();
  add_user("system", "sudo");
  auto system = login("system");
  ASSERT_TRUE(system);
  EXPECT_FALSE(system->mfa_enrollment_required);
  EXPECT_TRUE(api->authenticate(system->api_key));
}

TEST_F(MfaTest, AnAdministratorResetsByThePasswordResetRule) {
  add_user("root", "sudo");
  add_user("adam", "admin");
  add_user("ana", "operator");
  add_user("sue", "supervisor");
  enroll("ana");
  const Caller admin = caller_of("adam");
  const Caller operator_caller = caller_of_token(login("sue")->api_key);
  EXPECT_EQ(api->reset_mfa(operator_caller, "ana").error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(api->reset_mfa(admin, "adam").error().code, ErrorCode::kRuleViolation)
      << "not one's own: DELETE /api/users/me/mfa with password and code";
  EXPECT_EQ(api->reset_mfa(admin, "root").error().code, ErrorCode::kNotFound)
      << "a sudo user is hidden from an admin";
  EXPECT_EQ(api->reset_mfa(caller_of("root"), "ana").error().code, ErrorCode::kRuleViolation)
      << "sudo resets admins only, as for passwords";
  auto reset = api->reset_mfa(admin, "ana");
  ASSERT_TRUE(reset) << reset.error().message;
  EXPECT_TRUE(*reset);
  EXPECT_TRUE(has_event("mfa_reset", "success"));
  EXPECT_FALSE(login("ana")->second_factor_due());
  EXPECT_FALSE(*api->reset_mfa(admin, "ana")) << "nothing left to reset";
}

TEST_F(MfaTest, AThirdPartyTokenHasNoMfaOfItsOwn) {
  Principal token;
  token.kind = Principal::Kind::kThirdPartyToken;
  token.role = Role{0, "r", "operator", 10};
  token.jti = "jti-1";
  const Caller caller{token, kAddress};
  EXPECT_EQ(api->mfa_status(caller).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(api->begin_totp_enrollment(caller).error().code, ErrorCode::kPermissionDenied);
}

TEST_F(MfaTest, AnUnlockForgetsWrongCodesToo) {
  settings.mfa.max_failures = 1;
  rebuild();
  add_user("adam", "admin");
  add_user("ana", "operator");
  const std::string secret = enroll("ana");
  EXPECT_FALSE(second_step(challenge("ana"), "000000" == code(secret) ? "111111" : "000000"));
  EXPECT_EQ(second_step(challenge("ana"), code(secret)).error().code, ErrorCode::kThrottled);
  ASSERT_TRUE(api->unlock_user(caller_of("adam"), "ana"));
  EXPECT_TRUE(second_step(challenge("ana"), code(secret)));
}

// CoreTest without MFA ports, as every other core test runs.
using MfaUnavailable = CoreTest;

TEST_F(MfaUnavailable, ACoreWithoutMfaPortsLogsInByPasswordAndSaysSo) {
  add_user("ana", "operator");
  const Caller caller = session_of("ana");
  EXPECT_EQ(api->begin_totp_enrollment(caller).error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(api->login_second_factor(Caller{std::nullopt, kAddress}, "t", "123456").error().type,
            "invalid_mfa_token");
}

}  // namespace
}  // namespace automation::testing
