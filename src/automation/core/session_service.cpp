#include "automation/core/session_service.hpp"

#include "automation/core/password_rules.hpp"
#include "automation/core/policy.hpp"
#include "automation/core/user_service.hpp"

namespace automation {
namespace {

constexpr std::size_t kApiKeyBytes = 32;  // 256 bits of entropy
constexpr std::size_t kMaxApiKeyLength = 4096;
constexpr std::size_t kSessionIdBytes = 8;  // a handle, not a credential: unique is enough

std::unexpected<Error> invalid_credentials() {
  return fail(ErrorCode::kPermissionDenied, "Invalid credentials");
}
std::unexpected<Error> invalid_token() {
  return fail(ErrorCode::kUnauthenticated, "Invalid token");
}

}  // namespace

SessionService::SessionService(const Ports& ports, LoginThrottle& throttle,
                               const CoreSettings& settings, DirectoryLogin* directory)
    : ports_(ports), throttle_(throttle), settings_(settings), directory_(directory) {}

Result<std::optional<User>> SessionService::find_account(const Credentials& credentials) {
  const std::string name(credentials.login_name());
  if (!is_plausible_lookup_key(name)) return std::optional<User>{};
  return credentials.uses_email() ? ports_.users.find_user_by_email(name)
                                  : ports_.users.find_user_by_username(name);
}

bool SessionService::names_an_account(const Credentials& credentials) {
  auto found = find_account(credentials);
  return !found || found->has_value();  // a failed lookup gives the benefit of the doubt
}

Result<SessionService::CheckedPassword> SessionService::check_password(
    const Credentials& credentials, std::string_view address) {
  const std::string name(credentials.login_name());
  Result<std::optional<User>> found = find_account(credentials);
  if (!found) return fail(found.error());
  // Failures count against the account, whichever name (username or email, any case)
  // was used; names that match no account are counted as given.
  const std::string account = *found ? LoginThrottle::account_of_user((*found)->identifier)
                                     : LoginThrottle::account_of_unknown_name(name);
  auto attempt = throttle_.begin_attempt(account, address);
  if (!attempt) return fail(attempt.error());
  // A directory bind is a password attempt like any other: reserved above, counted unless
  // it succeeds.
  if (directory_ != nullptr) {
    auto decides = directory_->decides_for(*found);
    if (!decides) return fail(decides.error());
    if (*decides) {
      auto outcome = directory_->authenticate(name, credentials.password, *found);
      if (!outcome) return fail(outcome.error());  // the attempt stays counted
      throttle_.succeeded(*attempt);
      return CheckedPassword{std::move(outcome->user), false, std::move(outcome->audit_note)};
    }
  }
  // Unknown users still cost one KDF evaluation (the hasher's contract for an empty stored
  // hash), so timing does not reveal which names exist.
  const std::string_view stored = *found ? std::string_view((*found)->password_hash) : "";
  const PasswordCheck check = ports_.hasher.verify(credentials.password, stored);
  if (!*found || !check.matches) return invalid_credentials();  // the attempt stays counted
  throttle_.succeeded(*attempt);
  return CheckedPassword{std::move(**found), check.needs_rehash, {}};
}

void SessionService::upgrade_hash(const User& user, std::string_view password) {
  if (auto hash = ports_.hasher.hash(password)) {
    (void)ports_.users.set_password_hash(user.id, *hash, SessionRevocation{});
  }
}

Result<LoginResult> SessionService::open_session(User user, std::string_view address,
                                                 SecondFactor factor) {
  const UnixSeconds now = ports_.clock.now();
  auto demand = demand_for(user, now);
  if (!demand) return fail(demand.error());
  std::string api_key = ports_.random.random_hex(kApiKeyBytes);
  Session session{ports_.digester.digest(api_key), user.id, now,
                  settings_.session_ttl_seconds > 0 ? now + settings_.session_ttl_seconds : 0,
                  ports_.random.random_hex(kSessionIdBytes), *demand};
  session.client_address = std::string(address);
  session.mfa_verified = factor != SecondFactor::kNone;
  const int limit = settings_.max_sessions_per_user;
  if (auto stored = limit > 0 ? ports_.sessions.add_session_within_limit(session, limit)
                              : ports_.sessions.add_session(session);
      !stored) {
    return fail(stored.error());
  }
  Role role = user.role;
  LoginResult result{std::move(api_key), std::move(role), now, std::move(user), *demand};
  result.second_factor = factor;
  result.mfa_enrollment_required =
      !session.mfa_verified &&
      policy::must_use_mfa(result.user.role.level, result.user.username,
                           settings_.mfa.required_level);
  return result;
}

Result<PasswordChangeDemand> SessionService::demand_for(const User& user, UnixSeconds now) {
  const PasswordPolicySettings& settings = settings_.password_policy;
  if (settings.max_age_days <= 0 && !settings.change_on_first_login) {
    return PasswordChangeDemand::kNone;
  }
  // Sudo accounts may not change their own password over the API (SPEC §2): the command-line
  // tool and AUTOMATION_SUPERUSER_PASSWORD manage them, so no demand could ever be met.
  if (policy::is_sudo_role(user.role.name, user.role.level)) return PasswordChangeDemand::kNone;
  // A directory user's password ages and changes in the directory, not here (asked here
  // rather than by the caller, so that the MFA step's sessions get the same answer).
  if (directory_ != nullptr) {
    auto managed = directory_->decides_for(user);
    if (!managed) return fail(managed.error());
    if (*managed) return PasswordChangeDemand::kNone;
  }
  auto state = ports_.passwords.password_state(user.id);
  if (!state) return fail(state.error());
  return demand_at_login(*state, now, settings);
}

Result<User> SessionService::verify_credentials(const Credentials& credentials,
                                                std::string_view address) {
  auto checked = check_password(credentials, address);
  if (!checked) return fail(checked.error());
  return std::move(checked->user);
}

Status SessionService::logout(std::string_view session_digest) {
  return ports_.sessions.delete_session(session_digest);
}

Status SessionService::logout_all(std::int64_t user_id) {
  return ports_.sessions.delete_user_sessions(user_id);
}

Result<ActiveSession> SessionService::resolve(std::string_view api_key) {
  if (api_key.empty() || api_key.size() > kMaxApiKeyLength) return invalid_token();
  return resolve_digest(ports_.digester.digest(api_key));
}

Result<ActiveSession> SessionService::resolve_digest(std::string_view digest) {
  auto found = ports_.sessions.find_session(digest);
  if (!found) return fail(found.error());
  if (!*found) return invalid_token();
  const UnixSeconds now = ports_.clock.now();
  const std::int64_t idle_limit = settings_.session_idle_seconds;
  if ((*found)->session.is_idle(now, idle_limit)) {
    // A cached copy may be behind on its last use (recording one drops no cache): ask the
    // database before ending the session.
    found = ports_.sessions.reread_session(digest);
    if (!found) return fail(found.error());
    if (!*found) return invalid_token();
  }
  const Session& session = (*found)->session;
  const bool expired = session.expires_at != 0 && now >= session.expires_at;
  if (expired || session.is_idle(now, idle_limit)) {
    (void)ports_.sessions.delete_session(digest);  // lazy clean-up of the dead key
    return invalid_token();
  }
  // Only where idle sessions end: recording costs a row write per session and minute, which
  // showed as 0.53x -> 0.42x ping on bench/run.sh's cold keys at 100,000 sessions. At most
  // once per session and kSessionUseResolution, whatever the request rate (Session::is_idle
  // allows for that). A failed write is not the caller's problem: at worst another process
  // ends the session as idle sooner.
  if (idle_limit > 0 && now - session.last_activity() >= kSessionUseResolution) {
    (void)ports_.sessions.record_session_use(digest, now);
  }
  return std::move(**found);
}

}  // namespace automation
