#include "automation/core/login_service.hpp"

#include <utility>

namespace automation {

namespace {

constexpr std::size_t kTokenBytes = 32;  // 256 bits, like an API key
constexpr std::size_t kMaxTokenLength = 256;

std::unexpected<Error> invalid_mfa_token() {
  Error error = Error::make(ErrorCode::kUnauthenticated, "Invalid or expired mfa_token");
  error.type = std::string(kMfaInvalidToken);
  return fail(std::move(error));
}

}  // namespace

LoginService::LoginService(SessionService& sessions, MfaService* mfa,
                           MfaChallengeStore* challenges, const Ports& ports)
    : sessions_(sessions), mfa_(mfa), challenges_(challenges), ports_(ports) {}

Result<LoginResult> LoginService::login(const Credentials& credentials,
                                        std::string_view address) {
  auto checked = sessions_.check_password(credentials, address);
  if (!checked) return fail(checked.error());
  const bool needs_rehash = checked->needs_rehash;
  User& user = checked->user;
  SecondFactor factor = SecondFactor::kNone;
  int recovery_codes_left = -1;
  if (mfa_ != nullptr) {
    auto enabled = mfa_->enabled(user);
    if (!enabled) return fail(enabled.error());
    // A blank otp (an empty field of a form) is no code: the login asks for one instead of
    // counting a wrong guess.
    const bool otp_given =
        credentials.otp && credentials.otp->find_first_not_of(" \t") != std::string::npos;
    if (*enabled && !otp_given) {
      if (needs_rehash) sessions_.upgrade_hash(user, credentials.password);
      auto challenged = challenge(std::move(user), address);
      if (challenged) challenged->audit_note = std::move(checked->audit_note);
      return challenged;
    }
    if (*enabled) {
      // Checked before anything is written: the code's attempt count must stand on its own,
      // not join (and be undone with) a login that fails.
      auto check = mfa_->verify(user, *credentials.otp, address);
      if (!check) return fail(check.error());
      factor = check->factor;
      recovery_codes_left = check->recovery_codes_left;
    }
  }
  if (needs_rehash) sessions_.upgrade_hash(user, credentials.password);
  auto login = sessions_.open_session(std::move(user), address, factor);
  if (login) {
    login->recovery_codes_left = recovery_codes_left;
    login->audit_note = std::move(checked->audit_note);
  }
  return login;
}

Result<LoginResult> LoginService::challenge(User user, std::string_view address) {
  std::string token = ports_.random.random_hex(kTokenBytes);
  const UnixSeconds now = ports_.clock.now();
  MfaChallenge pending{ports_.digester.digest(token), user.id, std::string(address), now,
                       now + kChallengeSeconds};
  if (auto stored = challenges_->add_challenge(pending); !stored) return fail(stored.error());
  LoginResult result;
  result.role = user.role;
  result.logged_in_at = now;
  result.user = std::move(user);
  result.mfa_token = std::move(token);
  result.mfa_token_expires_at = pending.expires_at;
  return result;
}

Result<LoginResult> LoginService::complete(std::string_view mfa_token, std::string_view code,
                                           std::string_view address, std::string* username) {
  if (mfa_ == nullptr || mfa_token.empty() || mfa_token.size() > kMaxTokenLength) {
    return invalid_mfa_token();
  }
  const std::string digest = ports_.digester.digest(mfa_token);
  auto found = challenges_->find_challenge(digest);
  if (!found) return fail(found.error());
  const UnixSeconds now = ports_.clock.now();
  if (!*found || now >= (*found)->expires_at || (*found)->client_address != address) {
    return invalid_mfa_token();
  }
  auto user = ports_.users.find_user_by_id((*found)->user_id);
  if (!user) return fail(user.error());
  if (!*user) return invalid_mfa_token();
  if (username != nullptr) *username = (*user)->username;
  auto check = mfa_->verify(**user, code, address);
  if (!check) {
    // MFA was removed (reset) since the password step: that login must start again.
    if (check.error().code == ErrorCode::kRuleViolation) return invalid_mfa_token();
    return fail(check.error());
  }
  // Single use: of two requests completing one token, one consumes it.
  auto consumed = challenges_->consume_challenge(digest, now);
  if (!consumed) return fail(consumed.error());
  if (!*consumed) return invalid_mfa_token();
  auto login = sessions_.open_session(std::move(**user), address, check->factor);
  if (login) login->recovery_codes_left = check->recovery_codes_left;
  return login;
}

}  // namespace automation
