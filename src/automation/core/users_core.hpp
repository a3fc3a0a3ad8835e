#pragma once

// The core's public facade: the operations of PyAutomation's users core, in its snake_case
// names, over the services below. Usable from C++ without HTTP. No authorization here;
// AuthorizedApi adds the rules of SPEC §2 for callers acting on behalf of a principal.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/audit_log.hpp"
#include "automation/core/audited_change.hpp"
#include "automation/core/directory_login.hpp"
#include "automation/core/directory_sync.hpp"
#include "automation/core/login_service.hpp"
#include "automation/core/login_throttle.hpp"
#include "automation/core/mfa_ports.hpp"
#include "automation/core/mfa_service.hpp"
#include "automation/core/mfa_signature_factor.hpp"
#include "automation/core/mfa_throttle.hpp"
#include "automation/core/password_service.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/requests.hpp"
#include "automation/core/role_service.hpp"
#include "automation/core/session_admin.hpp"
#include "automation/core/session_service.hpp"
#include "automation/core/settings.hpp"
#include "automation/core/signature_service.hpp"
#include "automation/core/signup_throttle.hpp"
#include "automation/core/tpt_service.hpp"
#include "automation/core/user_service.hpp"

namespace automation {

// Everything the core needs from the outside, as references to port implementations.
struct CorePorts {
  RoleStore& roles;
  UserStore& users;
  SessionStore& sessions;
  TptStore& tpts;
  ThrottleStore& throttle;
  AuditStore& audit;
  SettingsStore& settings;
  PasswordStore& passwords;
  PasswordHasher& hasher;
  RandomSource& random;
  TokenDigester& digester;
  JwtCodec& jwt;
  Clock& clock;
  UnitOfWork& units;
  // Only when the dictionary check is on (PasswordPolicySettings::dictionary_check).
  PasswordDictionary* dictionary = nullptr;
  // Multi-factor authentication; null: unavailable (nobody can enroll, logins are by password).
  const MfaPorts* mfa = nullptr;
  // The directory-managed accounts (always, where the database has them), and the directory
  // itself when directory login is on (DirectorySettings::enabled).
  DirectoryAccountStore* directory_accounts = nullptr;
  DirectoryPort* directory = nullptr;
};

class UsersCore {
 public:
  UsersCore(const CorePorts& ports, const CoreSettings& settings, std::string tpt_secret);
  UsersCore(const UsersCore&) = delete;
  UsersCore& operator=(const UsersCore&) = delete;

  // --- PyAutomation's operations ---
  Result<User> signup(const SignupRequest& request) { return users_.signup(request); }
  // For an account with MFA: credentials.otp, or LoginResult::mfa_token for
  // logins().complete() (then no session was opened).
  Result<LoginResult> login(const Credentials& credentials, std::string_view address = {}) {
    return login_.login(credentials, address);
  }
  Status logout(std::string_view api_key) {
    return sessions_.logout(sessions_.digest_of(api_key));
  }
  Result<User> verify_credentials(const Credentials& credentials, std::string_view address = {}) {
    return sessions_.verify_credentials(credentials, address);
  }
  Status change_password(std::string_view target_username, std::string_view new_password,
                         const std::optional<std::string>& current_password = std::nullopt) {
    return passwords_.change_password(target_username, new_password, current_password);
  }
  Status reset_password(std::string_view target_username, std::string_view new_password) {
    return passwords_.reset_password(target_username, new_password);
  }
  Status update_user_role(std::string_view username, std::string_view role_name) {
    return users_.update_user_role(username, role_name);
  }
  Result<Role> set_role(std::string_view name, long long level) {
    return roles_.set_role(name, level);
  }
  Result<TptCreated> create_tpt(const TptRequest& request, std::string_view created_by) {
    return tpts_.create_tpt(request, created_by);
  }
  Result<Role> verify_tpt(std::string_view token) { return tpts_.verify_tpt(token); }
  Result<User> get_user(std::string_view username) { return users_.get_user(username); }
  // Clears the failed-password count of the user's account (every address); returns how
  // many failures were forgotten.
  // Wrong second-factor codes are forgotten too.
  Result<std::int64_t> unlock_account(const User& user);
  Result<std::vector<User>> list_users();

  // Electronic signatures (docs/signatures.md), with the ports only they need; until this is
  // called signatures() is nullptr. With MFA, a signer who has it enrolled also sends a code.
  void enable_signatures(SignatureStore& store, SignatureSealer& sealer, SealChecker& checker);

  // --- services, for AuthorizedApi, the app and the command-line tool ---
  RoleService& roles() { return roles_; }
  UserService& users() { return users_; }
  PasswordService& passwords() { return passwords_; }
  SessionService& sessions() { return sessions_; }
  // nullptr unless directory login is on.
  DirectoryLogin* directory_login() { return directory_login_ ? &*directory_login_ : nullptr; }
  DirectorySync* directory_sync() { return directory_sync_ ? &*directory_sync_ : nullptr; }
  LoginService& logins() { return login_; }
  // Null when the core runs without MFA (CorePorts::mfa).
  MfaService* mfa() { return mfa_ ? &*mfa_ : nullptr; }
  SessionAdmin& session_admin() { return session_admin_; }
  SignupThrottle& signup_throttle() { return signup_throttle_; }
  LoginThrottle& login_throttle() { return throttle_; }
  TptService& tpts() { return tpts_; }
  AuditLog& audit() { return audit_; }
  AuditedChanges& audited() { return audited_; }
  SignatureService* signatures() { return signatures_.get(); }
  SettingsStore& settings_store() { return settings_store_; }
  const CoreSettings& settings() const { return settings_; }
  Clock& clock() { return clock_; }

 private:
  CoreSettings settings_;
  SettingsStore& settings_store_;
  PasswordStrength strength_;
  RoleService roles_;
  UserService users_;
  LoginThrottle throttle_;  // before passwords_ and sessions_, which use it
  std::optional<DirectoryLogin> directory_login_;  // before sessions_, which uses it
  SignupThrottle signup_throttle_;
  PasswordService passwords_;
  SessionService sessions_;
  MfaThrottle mfa_throttle_;
  std::optional<MfaService> mfa_;
  LoginService login_;  // after sessions_ and mfa_, which it uses
  SessionAdmin session_admin_;
  TptService tpts_;
  AuditLog audit_;
  AuditedChanges audited_;
  // What enable_signatures() hands the signature service besides its own ports.
  PasswordStore& password_store_;
  RandomSource& random_;
  Clock& clock_;
  std::unique_ptr<MfaSignatureFactor> signature_factor_;  // with MFA; before signatures_
  std::unique_ptr<SignatureService> signatures_;
  std::optional<DirectorySync> directory_sync_;  // after audited_, which it uses
};

}  // namespace automation
