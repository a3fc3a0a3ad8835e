#include "automation/app/application.hpp"

#include <algorithm>
#include <thread>
#include <utility>

#include "automation/app/audit_key.hpp"
#include "automation/app/database_file_mode.hpp"
#include "automation/app/database_options.hpp"
#include "automation/app/mfa_key.hpp"
#include "automation/app/oidc_key_source.hpp"
#include "automation/app/signing_key.hpp"
#include "automation/oidc/oidc_provider.hpp"
#include "automation/core/system_user.hpp"
#include "automation/crypto/cracklib_dictionary.hpp"
#include "automation/crypto/ed25519_sealer.hpp"
#include "automation/crypto/forward_token_signer.hpp"
#include "automation/crypto/hmac_authenticator.hpp"
#include "automation/crypto/jwt_codec.hpp"
#include "automation/crypto/otp.hpp"
#include "automation/crypto/password_hasher.hpp"
#include "automation/crypto/secret_box.hpp"
#include "automation/crypto/tokens.hpp"
#include "automation/directory/ldap_directory.hpp"
#include "automation/oidc/oidc_keys.hpp"
#include "automation/storage/cached_stores.hpp"
#include "automation/storage/change_feed.hpp"
#include "automation/storage/change_watch.hpp"
#include "automation/storage/database.hpp"
#include "automation/storage/lookup_cache.hpp"
#include "automation/storage/session_use_buffer.hpp"
#include "automation/storage/sql_audit_store.hpp"
#include "automation/storage/sql_directory_store.hpp"
#include "automation/storage/sql_mfa_challenge_store.hpp"
#include "automation/storage/sql_mfa_store.hpp"
#include "automation/storage/sql_oidc_store.hpp"
#include "automation/storage/sql_password_store.hpp"
#include "automation/storage/sql_role_store.hpp"
#include "automation/storage/sql_session_store.hpp"
#include "automation/storage/sql_settings_store.hpp"
#include "automation/storage/sql_signature_store.hpp"
#include "automation/storage/sql_throttle_store.hpp"
#include "automation/storage/sql_tpt_store.hpp"
#include "automation/storage/sql_unit_of_work.hpp"
#include "automation/storage/sql_user_store.hpp"

namespace automation::app {

struct Application::Parts {
  Parts(storage::Database& db, const crypto::Argon2Params& argon2,
        crypto::PasswordFormat password_format, std::string audit_key, const std::string& mfa_key,
        std::unique_ptr<SignatureSealer> signing_key)
      : audit_authenticator(std::move(audit_key)),
        sealer(std::move(signing_key)),
        roles(db),
        users(db),
        sessions(db),
        tpts(db),
        throttle(db),
        audit(db, audit_authenticator),
        settings(db),
        passwords(db),
        signatures(db),
        directory_accounts(db),
        units(db),
        mfa_store(db),
        mfa_challenges(db),
        oidc(db),
        mfa_box(mfa_key),
        hasher(argon2, password_format) {}

  crypto::HmacSha256Authenticator audit_authenticator;  // before audit, which uses it
  std::unique_ptr<SignatureSealer> sealer;
  crypto::Ed25519SealChecker seal_checker;
  storage::SqlRoleStore roles;
  storage::SqlUserStore users;
  storage::SqlSessionStore sessions;
  storage::SqlTptStore tpts;
  storage::SqlThrottleStore throttle;
  storage::SqlAuditStore audit;
  storage::SqlSettingsStore settings;
  storage::SqlPasswordStore passwords;
  storage::SqlSignatureStore signatures;
  storage::SqlDirectoryStore directory_accounts;
  storage::SqlUnitOfWork units;
  storage::SqlMfaStore mfa_store;
  storage::SqlMfaChallengeStore mfa_challenges;
  storage::SqlOidcStore oidc;  // the OpenID Connect provider's clients and grants
  crypto::XChaChaSecretBox mfa_box;
  crypto::Sha1OtpGenerator otp;
  MfaPorts mfa{mfa_store, mfa_challenges, otp, mfa_box};
  std::unique_ptr<crypto::CracklibDictionary> dictionary;  // only with the dictionary check
  std::unique_ptr<directory::LdapDirectory> directory;     // only with directory login
  crypto::DefaultPasswordHasher hasher;
  crypto::SecureRandom random;
  crypto::Sha256Digester digester;
  crypto::Hs256JwtCodec jwt;
};

// The hot lookups answered from memory, exactly, on every database: the change feed says
// what any process changed (see LookupCache); on SQLite the WAL-index header tells for free
// whether anything was committed at all.
struct Application::Cache {
  Cache(storage::Database& db, std::unique_ptr<storage::SqliteChangeWatch> change_watch,
        Parts& parts)
      : feed(db),
        watch(std::move(change_watch)),
        lookups(feed, watch.get()),
        roles(parts.roles, lookups),
        users(parts.users, lookups),
        sessions(parts.sessions, lookups),
        tpts(parts.tpts, lookups) {
    lookups.prefetch_new_sessions(
        [&store = parts.sessions](const std::vector<std::string>& digests) {
          return store.find_sessions(digests);
        });
  }

  storage::ChangeFeed feed;
  std::unique_ptr<storage::SqliteChangeWatch> watch;  // SQLite files only
  storage::LookupCache lookups;
  storage::CachedRoleStore roles;
  storage::CachedUserStore users;
  storage::CachedSessionStore sessions;
  storage::CachedTptStore tpts;
};

namespace {

// Enough connections for every I/O thread and hashing worker to hold one at once.
std::size_t pool_size_for(const config::Config& config) {
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  return 2 * std::max(cores, config.server.threads) + 2;
}

std::string label_of(const config::DatabaseConfig& db) {
  if (db.type == "sqlite") return "sqlite:" + db.file;
  return db.type + ":" + db.host + "/" + db.name;
}

}  // namespace

Application::Application() = default;
Application::~Application() {
  if (session_uses_) (void)session_uses_->flush();  // before the stores go
}

Result<std::unique_ptr<Application>> Application::start(const config::Config& config,
                                                        BootstrapReport& report) {
  std::unique_ptr<Application> app(new Application());
  auto database = storage::Database::open(database_options(config.database, pool_size_for(config)));
  if (!database) return fail(database.error());
  app->database_ = std::move(*database);
  app->database_label_ = label_of(config.database);
  storage::SqlSettingsStore kept_keys(*app->database_);
  crypto::SecureRandom key_random;
  auto audit_key = resolve_audit_key(config.audit, kept_keys, key_random);
  if (!audit_key) return fail(audit_key.error());
  auto mfa_key = resolve_mfa_key(config.mfa_key, kept_keys, key_random);
  if (!mfa_key) return fail(mfa_key.error());
  report.mfa_key_from_database = mfa_key->from_database;
  auto signing_key = resolve_signing_key(config.signing.key_file, kept_keys, key_random);
  if (!signing_key) return fail(signing_key.error());
  report.signing_key_from_database =
      signing_key->from_database && !config.core.signatures.meanings.empty();
  app->parts_ = std::make_unique<Parts>(
      *app->database_,
      crypto::Argon2Params{config.password_hash.memory_kib, config.password_hash.iterations},
      config.password_hash.format == "werkzeug" ? crypto::PasswordFormat::kWerkzeugPbkdf2
                                                : crypto::PasswordFormat::kArgon2id,
      std::move(*audit_key), mfa_key->material, std::move(signing_key->sealer));
  Parts& parts = *app->parts_;
  // Rows recorded before the audit chain began (databases older than it) are counted in a
  // sealed record, once, so that `audit verify` can tell them from rows inserted later.
  if (auto sealed = parts.audit.seal_chain_start(app->clock_.now()); !sealed) {
    return fail(sealed.error());
  }

  auto secret = resolve_tpt_secret(parts.settings, parts.random, config.secrets.app_secret_key);
  if (!secret) return fail(secret.error());
  report.secret_from_database = secret->from_database;

  RoleStore* roles = &parts.roles;
  UserStore* users = &parts.users;
  SessionStore* sessions = &parts.sessions;
  TptStore* tpts = &parts.tpts;
  // An in-memory SQLite database has one connection and no other process: nothing to gain.
  const bool sqlite = config.database.type == "sqlite";
  if (!(sqlite && config.database.file == ":memory:")) {
    std::unique_ptr<storage::SqliteChangeWatch> watch;
    if (sqlite) {
      auto opened = storage::SqliteChangeWatch::open(config.database.file);
      if (!opened) return fail(opened.error());
      watch = std::move(*opened);
    }
    app->cache_ = std::make_unique<Cache>(*app->database_, std::move(watch), parts);
    roles = &app->cache_->roles;
    users = &app->cache_->users;
    sessions = &app->cache_->sessions;
    tpts = &app->cache_->tpts;
  }
  // Uses are recorded only where idle sessions end (SessionService::resolve); elsewhere the
  // buffer would only cost every lookup a lock and a hash probe.
  if (config.core.session_idle_seconds > 0) {
    app->session_uses_ = std::make_unique<storage::SessionUseBuffer>(*sessions, parts.sessions);
    sessions = app->session_uses_.get();
  }
  if (config.core.password_policy.dictionary_check) {
    auto dictionary = crypto::CracklibDictionary::open();
    if (!dictionary) {
      Error error = dictionary.error();
      error.message = "AUTOMATION_PASSWORD_DICTIONARY_CHECK: " + error.message;
      return fail(std::move(error));
    }
    parts.dictionary = std::move(*dictionary);
  }
  if (config.core.directory.enabled) {
    parts.directory = std::make_unique<directory::LdapDirectory>(config.ldap);
  }
  const CorePorts ports{*roles,
                        *users,
                        *sessions,
                        *tpts,
                        parts.throttle,
                        parts.audit,
                        parts.settings,
                        parts.passwords,
                        parts.hasher,
                        parts.random,
                        parts.digester,
                        parts.jwt,
                        app->clock_,
                        parts.units,
                        parts.dictionary.get(),
                        &parts.mfa,
                        &parts.directory_accounts,
                        parts.directory.get()};
  // Forward authentication's tokens are signed with the TPT secret: upstream PyAutomation
  // checks both with the one AUTOMATION_APP_SECRET_KEY it shares with this service.
  app->forward_signer_ = std::make_unique<crypto::Hs256ForwardSigner>(secret->value);
  app->forward_auth_ = std::make_unique<ForwardAuth>(
      ForwardAuth::Ports{*app->forward_signer_, parts.random, app->clock_},
      static_cast<UnixSeconds>(config.front_door.forward_token_ttl_seconds));
  app->core_ = std::make_unique<UsersCore>(ports, config.core, std::move(secret->value));
  app->core_->enable_signatures(parts.signatures, *parts.sealer, parts.seal_checker);
  app->api_ = std::make_unique<AuthorizedApi>(*app->core_, app.get());
  app->audit_retention_ =
      std::make_unique<AuditRetention>(parts.audit, app->clock_, config.core.audit_retention);
  app->audit_capacity_set_ = config.core.audit_retention.max_events > 0;

  UsersCore& core = *app->core_;
  if (auto seeded = core.roles().seed_default_roles(); !seeded) return fail(seeded.error());
  // The system user's repair and its audit events stand or fall together, as every
  // security change does (AuditedChanges).
  Result<SystemUserOutcome> system = SystemUserOutcome{};
  bool audit_failed = false;
  const Status ensured = parts.units.run([&]() -> Status {
    system = ensure_system_user(core.users(), core.passwords(), parts.random,
                                config.secrets.superuser_password);
    if (!system) return fail(system.error());
    std::vector<AuditRecord> events;
    if (system->created || system->password_set) {
      events.push_back({"system_password_set", "system", "system", "startup", {"success", {}}});
    }
    if (system->role_repaired) {
      events.push_back({"system_role_repaired", "system", "system -> sudo", "startup",
                        {"success", "the system user had lost the sudo role"}});
    }
    for (const AuditRecord& event : events) {
      if (!core.audit().record(event)) {
        audit_failed = true;
        return fail(audit_unwritten());
      }
    }
    return {};
  });
  if (!ensured) {
    Error error = ensured.error();
    if (!audit_failed) error.message = "AUTOMATION_SUPERUSER_PASSWORD: " + error.message;
    return fail(std::move(error));
  }
  report.system_user_created = system->created;
  report.system_password_set = system->password_set;
  report.system_role_repaired = system->role_repaired;
  report.generated_system_password = system->generated_password;
  report.database_files_others_can_read = database_files_others_can_read(config.database);
  // The key that seals new signatures is published (GET /api/signatures/keys) before the
  // first one is made, and stays published after a rotation.
  if (auto published = core.signatures()->publish_current_key(); !published) {
    return fail(published.error());
  }
  // The OpenID Connect provider's clients (registration, client authentication).
  app->oidc_clients_ = std::make_unique<OidcClientRegistry>(
      OidcClientRegistry::Ports{parts.oidc, parts.throttle, core.audit(), core.audited(),
                                parts.random, parts.digester, app->clock_},
      config.core);
  // The provider's signing keys: only when it is on (off, nothing is generated or read).
  app->oidc_config_ = config.oidc;
  if (config.oidc.enabled) {
    auto oidc_keys = resolve_oidc_keys(config.oidc, parts.settings, app->clock_);
    if (!oidc_keys) return fail(oidc_keys.error());
    app->oidc_keys_ = std::move(oidc_keys->keys);
    report.oidc_keys_from_database = oidc_keys->from_database;
    app->oidc_provider_ = std::make_unique<oidc::OidcProvider>(oidc::OidcContext{
        core, parts.sessions, parts.oidc, *app->oidc_clients_, *app->oidc_keys_, parts.random,
        parts.digester,
        oidc::OidcProviderSettings{config.oidc.issuer, config.oidc.id_token_seconds,
                                   config.oidc.access_token_seconds,
                                   config.oidc.refresh_token_seconds, config.oidc.code_seconds}});
  }
  (void)parts.sessions.delete_expired_sessions(app->clock_.now());
  (void)app->sweep_expired_oidc_grants();
  return app;
}

void Application::begin_request() {
  if (cache_) cache_->lookups.begin_request();
}

void Application::end_request() {
  if (cache_) cache_->lookups.end_request();
}

std::optional<std::uint64_t> Application::refresh_lookups() {
  if (!cache_) return std::nullopt;
  auto epoch = cache_->lookups.refresh();
  if (!epoch) return std::nullopt;
  return *epoch;
}

void Application::enter_fresh_request(std::uint64_t epoch) {
  if (cache_) cache_->lookups.enter_request(epoch);
}

bool Application::lookups_check_remotely() const {
  return cache_ && !cache_->lookups.checks_are_local();
}

DirectoryPort* Application::directory() { return parts_->directory.get(); }

Result<DirectorySyncReport> Application::sync_directory() {
  DirectorySync* sync = core_->directory_sync();
  if (sync == nullptr) {
    return fail(ErrorCode::kInvalidArgument, "directory login is off (AUTOMATION_LDAP_URLS)");
  }
  return sync->run();
}

Status Application::refresh_oidc_keys() {
  return oidc_keys_ ? oidc_keys_->refresh() : Status{};
}

Result<OidcKeyRotation> Application::rotate_oidc_keys() {
  auto rotation = app::rotate_oidc_keys(oidc_config_, parts_->settings, clock_);
  // This process signs with the new keys at once (the CLI's process ends anyway).
  if (rotation) (void)refresh_oidc_keys();
  return rotation;
}

Result<AuditChainReport> Application::verify_audit_chain() {
  return automation::verify_audit_chain(parts_->audit, parts_->audit_authenticator);
}

Result<AuditRetentionOutcome> Application::enforce_audit_retention() {
  auto outcome = audit_retention_->enforce();
  if (outcome) {
    const std::lock_guard lock(last_retention_mutex_);
    last_retention_ = *outcome;
  }
  return outcome;
}

std::optional<AuditRetentionOutcome> Application::last_audit_retention() const {
  const std::lock_guard lock(last_retention_mutex_);
  return last_retention_;
}

std::uint64_t Application::audit_write_failures() const {
  return core_->audit().failed_writes();
}

AuditCapacity Application::audit_capacity() {
  AuditCapacity capacity;
  capacity.write_failures = audit_write_failures();
  if (const auto retention = last_audit_retention()) {
    capacity.events_stored = retention->events_stored;
    if (audit_capacity_set_) capacity.percent_of_capacity = retention->percent_of_capacity;
  }
  return capacity;
}

OidcStore& Application::oidc_store() { return parts_->oidc; }

Status Application::sweep_expired_oidc_grants() {
  return parts_->oidc.delete_expired_oidc_grants(clock_.now());
}

Status Application::flush_session_uses() {
  return session_uses_ ? session_uses_->flush() : Status{};
}

Status Application::write_audit_repeat_counts(bool all) {
  return core_->audit().write_repeat_counts(all);
}

std::uint64_t Application::database_failures() const { return database_->failure_count(); }

Result<std::size_t> Application::load_existing_sessions() {
  if (!cache_) return std::size_t{0};
  return cache_->lookups.load_existing_sessions(
      [&store = parts_->sessions](std::size_t limit) { return store.newest_sessions(limit); });
}

Result<long long> Application::live_sessions() {
  return parts_->sessions.count_live_sessions(clock_.now());
}

std::optional<CacheStats> Application::cache_stats() const {
  if (!cache_) return std::nullopt;
  const auto stats = cache_->lookups.stats();
  return CacheStats{stats.hits, stats.misses, stats.entries_dropped, stats.full_clears,
                    stats.sessions_prefetched};
}

}  // namespace automation::app
