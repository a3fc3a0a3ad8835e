#include "automation/core/users_core.hpp"

#include <utility>

namespace automation {
namespace {

// Directory login is on, and the app gave the core what it needs for it.
bool directory_wired(const CorePorts& ports, const CoreSettings& settings) {
  return settings.directory.enabled && ports.directory != nullptr &&
         ports.directory_accounts != nullptr;
}

std::optional<DirectoryLogin> directory_login_of(const CorePorts& ports,
                                                 const CoreSettings& settings) {
  if (!directory_wired(ports, settings)) return std::nullopt;
  return std::optional<DirectoryLogin>(
      std::in_place,
      DirectoryLogin::Ports{*ports.directory, *ports.directory_accounts, ports.users, ports.roles,
                            ports.hasher, ports.random, ports.clock},
      settings.directory);
}

std::optional<DirectorySync> directory_sync_of(const CorePorts& ports, const CoreSettings& settings,
                                               AuditedChanges& audited) {
  if (!directory_wired(ports, settings)) return std::nullopt;
  return std::optional<DirectorySync>(
      std::in_place,
      DirectorySync::Ports{*ports.directory, *ports.directory_accounts, ports.users, ports.roles,
                           ports.sessions, ports.clock},
      settings.directory, audited);
}

}  // namespace

UsersCore::UsersCore(const CorePorts& ports, const CoreSettings& settings, std::string tpt_secret)
    : settings_(settings),
      settings_store_(ports.settings),
      strength_(settings_, ports.dictionary),
      roles_(ports.roles, ports.random),
      users_(ports.users, roles_, ports.hasher, ports.random, ports.clock, settings_, strength_),
      throttle_(ports.throttle, ports.clock, settings_),
      directory_login_(directory_login_of(ports, settings_)),
      signup_throttle_(ports.throttle, ports.clock, settings_),
      passwords_(
          users_,
          {ports.users, ports.passwords, ports.hasher, ports.clock, ports.directory_accounts},
          throttle_, settings_, strength_),
      sessions_({ports.sessions, ports.users, ports.passwords, ports.hasher, ports.random,
                 ports.digester, ports.clock},
                throttle_, settings_, directory_login()),
      mfa_throttle_(ports.throttle, ports.clock, settings_),
      mfa_(ports.mfa ? std::optional<MfaService>(std::in_place,
                                                   MfaService::Ports{ports.mfa->store,
                                                                     ports.mfa->otp,
                                                                     ports.mfa->box, ports.random,
                                                                     ports.digester, ports.clock},
                                                   mfa_throttle_, settings_.mfa)
                     : std::nullopt),
      login_(sessions_, mfa_ ? &*mfa_ : nullptr, ports.mfa ? &ports.mfa->challenges : nullptr,
             {ports.users, ports.random, ports.digester, ports.clock}),
      session_admin_(users_, ports.sessions, ports.clock, settings_.session_idle_seconds),
      tpts_({ports.tpts, roles_, ports.jwt, ports.random, ports.clock}, std::move(tpt_secret)),
      audit_(ports.audit, ports.clock, settings_.login_window_seconds),
      audited_(ports.units, audit_),
      password_store_(ports.passwords),
      random_(ports.random),
      clock_(ports.clock),
      directory_sync_(directory_sync_of(ports, settings_, audited_)) {}

void UsersCore::enable_signatures(SignatureStore& store, SignatureSealer& sealer,
                                  SealChecker& checker) {
  if (mfa_) signature_factor_ = std::make_unique<MfaSignatureFactor>(*mfa_, audit_);
  signatures_ = std::make_unique<SignatureService>(
      SignatureService::Ports{store, sealer, checker, password_store_, random_, clock_}, sessions_,
      settings_, signature_factor_.get());
}

Result<std::int64_t> UsersCore::unlock_account(const User& user) {
  auto cleared = throttle_.unlock(LoginThrottle::account_of_user(user.identifier));
  if (!cleared || !mfa_) return cleared;
  auto codes = mfa_->unlock(user);
  if (!codes) return fail(codes.error());
  return *cleared + *codes;
}

Result<std::vector<User>> UsersCore::list_users() {
  auto page = users_.list_users();
  if (!page) return fail(page.error());
  return std::move(page->users);
}

}  // namespace automation
