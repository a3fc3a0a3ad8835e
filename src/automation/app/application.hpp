#pragma once

// Composition root: configuration -> storage -> crypto -> core services -> AuthorizedApi,
// plus the start-up bootstrap (migrations, default roles, system user, TPT secret).

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "automation/app/oidc_key_source.hpp"
#include "automation/app/system_clock.hpp"
#include "automation/config/config.hpp"
#include "automation/core/audit_chain.hpp"
#include "automation/core/audit_retention.hpp"
#include "automation/core/authorized_api.hpp"
#include "automation/core/forward_auth.hpp"
#include "automation/core/oidc_clients.hpp"
#include "automation/core/oidc_ports.hpp"
#include "automation/core/service_overview.hpp"
#include "automation/core/users_core.hpp"

namespace automation::storage {
class Database;
class SessionUseBuffer;
}
namespace automation::oidc {
class OidcKeys;
class OidcProvider;
}

namespace automation::app {

// What the bootstrap did, for the caller to tell the operator (once).
struct BootstrapReport {
  std::optional<std::string> generated_system_password;  // print once, never log
  bool system_user_created = false;
  bool system_password_set = false;  // AUTOMATION_SUPERUSER_PASSWORD applied
  bool system_role_repaired = false;  // system had lost the sudo role and got it back
  bool secret_from_database = false;  // AUTOMATION_APP_SECRET_KEY unset
  bool mfa_key_from_database = false;  // AUTOMATION_MFA_KEY_FILE unset
  // The SQLite files group or others may read (database_files_others_can_read).
  std::vector<std::string> database_files_others_can_read;
  // AUTOMATION_SIGNING_KEY_FILE unset while signing is on (some meaning is configured).
  bool signing_key_from_database = false;
  // The OIDC provider is on and its signing keys are kept in the database (no key files).
  bool oidc_keys_from_database = false;
};

// The lookup cache's counters (for tests, and for metrics).
struct CacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t entries_dropped = 0;  // dropped because a change touched exactly them
  std::uint64_t full_clears = 0;
  std::uint64_t sessions_prefetched = 0;  // sessions loaded before their first use
};

// Also the core's ProcessFigures: the overview route and the metrics read the same numbers.
class Application final : public ProcessFigures {
 public:
  // Opens and migrates the database, seeds roles, ensures the system user and the TPT
  // secret. Errors are start-up errors with a one-line message.
  static Result<std::unique_ptr<Application>> start(const config::Config& config,
                                                    BootstrapReport& report);
  ~Application() override;
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  UsersCore& core() { return *core_; }
  AuthorizedApi& api() { return *api_; }
  // The OpenID Connect provider's registered clients: registration, removal and client
  // authentication (core/oidc_clients.hpp).
  OidcClientRegistry& oidc_clients() { return *oidc_clients_; }
  // Its clients, authorization codes and refresh tokens (core/oidc_ports.hpp).
  OidcStore& oidc_store();
  // Deletes the codes and refresh tokens that have expired (at start, and hourly while serving).
  Status sweep_expired_oidc_grants();
  // Mints the tokens of /api/auth/verify (forward authentication).
  ForwardAuth& forward_auth() { return *forward_auth_; }
  // "sqlite:app.db" or "postgresql:host/name", for the start-up line (no secrets).
  const std::string& database_label() const { return database_label_; }
  // nullopt when lookups are not cached (an in-memory SQLite database).
  std::optional<CacheStats> cache_stats() const;
  // Database units of work that failed in the database since start (metrics).
  std::uint64_t database_failures() const;
  // Loads the stored sessions (the newest, up to half the lookup cache) into memory so that
  // keys made before this process started need no SQL at their first use (serve, at start;
  // see LookupCache::load_existing_sessions). Returns how many; 0 without a cache.
  Result<std::size_t> load_existing_sessions();
  // Sessions alive now: one COUNT query (metrics cache it briefly; the overview does not).
  Result<long long> live_sessions() override;
  // The last retention run's count (and share of AUTOMATION_AUDIT_MAX_EVENTS when set) and
  // the failed audit writes (metrics and the overview).
  AuditCapacity audit_capacity() override;
  // Bring the cached lookups up to date once for the request handled on this thread, and
  // end that (see LookupCache::begin_request). No-ops without a cache.
  void begin_request();
  void end_request();
  // The two steps of begin_request, for a server that checks once per batch of requests
  // (worth it where a check is a database round trip: see lookups_check_remotely()).
  std::optional<std::uint64_t> refresh_lookups();
  void enter_fresh_request(std::uint64_t epoch);
  // True when bringing the cache up to date costs a database round trip (PostgreSQL).
  bool lookups_check_remotely() const;
  // The directory (nullptr unless AUTOMATION_LDAP_URLS is set): `automation ldap test`.
  DirectoryPort* directory();
  // One directory sync pass (every AUTOMATION_LDAP_SYNC_SECONDS while serving, and
  // `automation ldap sync`); kInvalidArgument when directory login is off.
  Result<DirectorySyncReport> sync_directory();
  // The OpenID Connect provider's signing keys; nullptr when AUTOMATION_OIDC_ENABLED is off
  // (then no key was generated or read).
  oidc::OidcKeys* oidc_keys() { return oidc_keys_.get(); }
  // The provider's protocol (authorize, token, userinfo, ...); nullptr when off.
  oidc::OidcProvider* oidc_provider() { return oidc_provider_.get(); }
  // The provider's settings (issuer, token lifetimes), as configured.
  const config::OidcConfig& oidc_config() const { return oidc_config_; }
  // Re-reads the kept OIDC signing keys (a rotation by another process); no-op when the
  // provider is off or its keys come from files.
  Status refresh_oidc_keys();
  // `automation oidc rotate-keys`: see app/oidc_key_source.hpp (rotate_oidc_keys).
  Result<OidcKeyRotation> rotate_oidc_keys();
  // Walks the audit chain with this process's key (`automation audit verify`).
  Result<AuditChainReport> verify_audit_chain() override;
  // One audit retention run (at start and hourly while serving).
  Result<AuditRetentionOutcome> enforce_audit_retention();
  // The last successful run's outcome (for the metrics); nullopt before the first.
  std::optional<AuditRetentionOutcome> last_audit_retention() const;
  // Audit events that could not be written since start.
  std::uint64_t audit_write_failures() const;
  // AUTOMATION_AUDIT_MAX_EVENTS is set (percent_of_capacity means something).
  bool audit_capacity_set() const { return audit_capacity_set_; }
  // Writes the sessions' last uses gathered in memory (every few seconds while serving, and
  // when the application ends).
  Status flush_session_uses();
  // Writes the counts of repeated refusals whose window ended (every count when `all`, as
  // the application ends): see core/repeated_refusals.hpp.
  Status write_audit_repeat_counts(bool all = false);

 private:
  struct Parts;  // stores and crypto, kept out of this header
  struct Cache;  // cached lookups in front of the stores (SQLite)
  Application();

  std::unique_ptr<storage::Database> database_;
  std::unique_ptr<Parts> parts_;
  std::unique_ptr<Cache> cache_;
  std::unique_ptr<storage::SessionUseBuffer> session_uses_;
  SystemClock clock_;
  std::unique_ptr<UsersCore> core_;
  std::unique_ptr<AuthorizedApi> api_;
  std::unique_ptr<ForwardTokenSigner> forward_signer_;
  std::unique_ptr<ForwardAuth> forward_auth_;
  std::unique_ptr<AuditRetention> audit_retention_;
  std::unique_ptr<OidcClientRegistry> oidc_clients_;
  mutable std::mutex last_retention_mutex_;
  std::optional<AuditRetentionOutcome> last_retention_;
  bool audit_capacity_set_ = false;
  std::string database_label_;
  config::OidcConfig oidc_config_;
  std::unique_ptr<oidc::OidcKeys> oidc_keys_;  // after the stores its loader reads
  std::unique_ptr<oidc::OidcProvider> oidc_provider_;  // after what it works through
};

}  // namespace automation::app
