#include "automation/config/setting_table.hpp"

#include <algorithm>
#include <string>

#include "automation/config/directory_syntaxes.hpp"
#include "automation/config/front_door_syntaxes.hpp"
#include "automation/config/oidc_syntaxes.hpp"
#include "automation/config/value_syntaxes.hpp"
#include "automation/core/model.hpp"

namespace automation::config {
namespace {

// The member of Config a row sets, as an accessor that works on Config and const Config.
// A macro only because the member path is not a value: it keeps each row to its facts.
#define AUTOMATION_FIELD(path) \
  [](auto& config) -> auto& { return config.path; }

constexpr long long kYearSeconds = 366LL * 24 * 3600;
constexpr long long kMaxFailures = 1'000'000;

std::vector<Setting> http_server_settings() {
  return {
      {"AUTOMATION_HOST", "HTTP server", "listen address; 0.0.0.0 (or ::) to serve other machines",
       text(AUTOMATION_FIELD(server.host), /*non_empty=*/true, "address"), "", false,
       FlagScope::kServe, "--host"},
      {"AUTOMATION_PORT", "HTTP server", "listen port",
       integer(1, 65535, AUTOMATION_FIELD(server.port)), "", false, FlagScope::kServe, "--port"},
      {"AUTOMATION_THREADS", "HTTP server",
       "I/O threads and password-hashing workers; 0 = one per core",
       integer(0, 256, AUTOMATION_FIELD(server.threads)), "", false, FlagScope::kServe,
       "--threads"},
      {"AUTOMATION_MAX_CONNECTIONS", "HTTP server",
       "connections served at once; later ones wait in the listen backlog",
       integer(0, 1'000'000, AUTOMATION_FIELD(server.max_connections)),
       "0 = the descriptor limit minus a quarter (at least 64 kept back for the database and "
       "files), at most 10,000; under systemd the unit's LimitNOFILE sets that limit.",
       false, FlagScope::kServe, "--max-connections"},
      {"AUTOMATION_MAX_CONNECTIONS_PER_ADDRESS", "HTTP server",
       "connections one client address may hold at once; more are closed as soon as accepted",
       integer(0, 1'000'000, AUTOMATION_FIELD(server.max_connections_per_address)),
       "0 = a tenth of AUTOMATION_MAX_CONNECTIONS, rounded up. Trusted proxies "
       "(AUTOMATION_TRUSTED_PROXIES) are exempt; clients behind a NAT gateway share its address, "
       "so raise it (up to AUTOMATION_MAX_CONNECTIONS, which turns it off) when many of them "
       "connect through one.",
       false, FlagScope::kServe, "--max-connections-per-address",
       "a tenth of AUTOMATION_MAX_CONNECTIONS"},
      {"AUTOMATION_READ_TIMEOUT", "HTTP server",
       "seconds to receive a whole request (head and body); also the idle keep-alive limit",
       integer(1, 3600, AUTOMATION_FIELD(server.read_timeout_seconds)),
       "Counted from when the connection opens or the previous response was sent; it also "
       "bounds a TLS handshake.",
       false, FlagScope::kServe, "--read-timeout"},
      {"AUTOMATION_WRITE_TIMEOUT", "HTTP server", "seconds to write one response",
       integer(1, 3600, AUTOMATION_FIELD(server.write_timeout_seconds)), "", false,
       FlagScope::kServe, "--write-timeout"},
      {"AUTOMATION_RESPONSE_MEMORY_MIB", "HTTP server",
       "MiB that answers not yet written to their clients may hold; past it, big answers get "
       "503 with Retry-After",
       integer(1, 65536, AUTOMATION_FIELD(server.response_memory_mib)),
       "Bounds what clients that read slowly or not at all can pin (each keeps its answer until "
       "AUTOMATION_WRITE_TIMEOUT). Answers under 64 KiB are never refused; a user list shared by "
       "several answers counts once. Refusals are counted in "
       "automation_response_memory_rejections_total.",
       false, FlagScope::kServe, "--response-memory-mib"},
      {"AUTOMATION_TIMEZONE", "HTTP server", "IANA time zone of the login response's datetime",
       text(AUTOMATION_FIELD(server.timezone), /*non_empty=*/true, "IANA time zone"), "", false,
       FlagScope::kServe, "--timezone"},
      {"AUTOMATION_TRUSTED_PROXIES", "HTTP server",
       "comma-separated IP addresses of reverse proxies whose X-Forwarded-For names the client",
       address_list(AUTOMATION_FIELD(server.trusted_proxies)),
       "Exact addresses, not networks. Requests from other peers are attributed to the peer; "
       "see the reverse proxy set-up in docs/operations.md."},
      {"AUTOMATION_TLS_CERT_FILE", "HTTP server",
       "PEM certificate chain: with AUTOMATION_TLS_KEY_FILE the listener speaks HTTPS only",
       text(AUTOMATION_FIELD(server.tls_cert_file), false, "path"),
       "Both TLS files or neither (plain HTTP).", false, FlagScope::kServe, "--tls-cert-file"},
      {"AUTOMATION_TLS_KEY_FILE", "HTTP server",
       "PEM private key of AUTOMATION_TLS_CERT_FILE (not readable by group or others)",
       text(AUTOMATION_FIELD(server.tls_key_file), false, "path"), "", false, FlagScope::kServe,
       "--tls-key-file"},
  };
}

std::vector<Setting> logging_settings() {
  return {
      {"AUTOMATION_LOG_FORMAT", "Logs and metrics",
       "text (one human-readable line per event) or json (one JSON object per line)",
       log_format(AUTOMATION_FIELD(logging.format)),
       "JSON lines carry time (UTC), level, logger and message; access lines carry their "
       "fields instead of message."},
      {"AUTOMATION_LOG_LEVEL", "Logs and metrics",
       "least severe level logged (access lines are switched separately)",
       one_of({"trace", "debug", "info", "warn", "error", "critical", "off"},
              AUTOMATION_FIELD(logging.level))},
      {"AUTOMATION_ACCESS_LOG", "Logs and metrics", "one access line per request",
       on_off(AUTOMATION_FIELD(logging.access_log))},
      {"AUTOMATION_METRICS", "Logs and metrics",
       "GET /metrics: on (the API's listener, no key), off, or HOST:PORT of a listener of its "
       "own",
       metrics_mode(AUTOMATION_FIELD(metrics)),
       "HOST is an IP address; IPv6 in brackets ([::1]:9464)."},
  };
}

std::vector<Setting> database_settings() {
  return {
      {"AUTOMATION_DB_TYPE", "Database", "the database engine",
       one_of({"sqlite", "postgresql", "mysql"}, AUTOMATION_FIELD(database.type)),
       "mysql is MySQL 8 or MariaDB 10.5 and later.", false, FlagScope::kGlobal, "--db-type"},
      {"AUTOMATION_DB_FILE", "Database", "the SQLite database file",
       text(AUTOMATION_FIELD(database.file), /*non_empty=*/true, "path"), "", false,
       FlagScope::kGlobal, "--db-file"},
      {"AUTOMATION_DB_HOST", "Database", "PostgreSQL or MySQL server host",
       text(AUTOMATION_FIELD(database.host)), "", false, FlagScope::kGlobal, "--db-host"},
      {"AUTOMATION_DB_PORT", "Database", "PostgreSQL or MySQL server port",
       optional_port(AUTOMATION_FIELD(database.port)), "", false, FlagScope::kGlobal, "--db-port",
       "the driver's (5432, 3306)"},
      {"AUTOMATION_DB_NAME", "Database", "PostgreSQL or MySQL database name",
       text(AUTOMATION_FIELD(database.name)), "", false, FlagScope::kGlobal, "--db-name"},
      {"AUTOMATION_DB_USER", "Database", "PostgreSQL or MySQL user",
       text(AUTOMATION_FIELD(database.user)), "", false, FlagScope::kGlobal, "--db-user"},
      {"AUTOMATION_DB_PASSWORD", "Database",
       "PostgreSQL or MySQL password (environment or settings file only, never a flag)",
       text(AUTOMATION_FIELD(database.password)), "", /*secret=*/true},
      {"AUTOMATION_DB_SSLMODE", "Database", "TLS to PostgreSQL (libpq's sslmode)",
       one_of({"disable", "allow", "prefer", "require", "verify-ca", "verify-full"},
              AUTOMATION_FIELD(database.sslmode)),
       "", false, FlagScope::kNone, "", "libpq's (prefer)"},
  };
}

std::vector<Setting> secret_settings() {
  return {
      {"AUTOMATION_APP_SECRET_KEY", "Secrets and keys",
       "HS256 secret of third-party tokens, at least 32 bytes",
       minimum_length_secret(32, AUTOMATION_FIELD(secrets.app_secret_key)),
       "Unset: a 256-bit secret is generated once and kept in the database (a warning says "
       "so). Several nodes on one database must share it, or all leave it unset.",
       /*secret=*/true, FlagScope::kNone, "", "generated, kept in the database"},
      {"AUTOMATION_SUPERUSER_PASSWORD", "Secrets and keys",
       "password of the system user, applied on every start",
       optional_secret(AUTOMATION_FIELD(secrets.superuser_password)),
       "Unset: generated at the first start and printed once (run a command such as `user list` "
       "by hand before the first start to see it on your terminal rather than in a journal).",
       /*secret=*/true},
      {"AUTOMATION_AUDIT_KEY_FILE", "Secrets and keys",
       "HMAC key of the audit chain: a file of at least 32 bytes, not readable by group or "
       "others",
       text(AUTOMATION_FIELD(audit.key_file), false, "path"), "", false, FlagScope::kNone, "",
       "none: a key kept in the database"},
      {"AUTOMATION_SIGNING_KEY_FILE", "Secrets and keys",
       "Ed25519 key that seals electronic signatures: a file not readable by group or others",
       text(AUTOMATION_FIELD(signing.key_file), false, "path"),
       "A PEM private key (openssl genpkey -algorithm ed25519 -out signing.pem) or its 32-byte "
       "seed as 64 hex characters. Unset: a key is generated once and kept in the database (a "
       "warning at start says so while signing is on). Its public key is published at "
       "GET /api/signatures/keys; after a change of key the old one stays published.",
       false, FlagScope::kNone, "", "none: a key kept in the database"},
  };
}

std::vector<Setting> session_settings() {
  return {
      {"AUTOMATION_SESSION_TTL", "Sessions and sign-up",
       "seconds a session (API key) lives; 0 = until logout",
       integer(0, 100 * kYearSeconds, AUTOMATION_FIELD(core.session_ttl_seconds))},
      {"AUTOMATION_SESSION_IDLE_TIMEOUT", "Sessions and sign-up",
       "seconds of disuse after which a session ends; 0 = never, otherwise at least 60",
       idle_timeout(100 * kYearSeconds, kSessionUseResolution,
                    AUTOMATION_FIELD(core.session_idle_seconds))},
      {"AUTOMATION_MAX_SESSIONS_PER_USER", "Sessions and sign-up",
       "live sessions per user; a login beyond it ends the oldest (0 = unlimited; 1 = one "
       "session per user, as upstream)",
       integer(0, 1'000'000, AUTOMATION_FIELD(core.max_sessions_per_user))},
      {"AUTOMATION_ALLOW_SIGNUP", "Sessions and sign-up", "anonymous sign-up (as guest) allowed",
       boolean(AUTOMATION_FIELD(core.allow_signup))},
      {"AUTOMATION_SIGNUP_MAX_PER_ADDRESS", "Sessions and sign-up",
       "anonymous sign-ups one client address may make per AUTOMATION_SIGNUP_WINDOW; beyond, "
       "429 with Retry-After; 0 = unlimited",
       integer(0, 1'000'000, AUTOMATION_FIELD(core.signup_max_per_address)),
       "Each sign-up costs a password hash: without a limit, one client could keep every "
       "hashing worker busy. Counted in the database, so every process sharing it agrees; sign-ups "
       "with an admin's or sudo's key are not limited. The refusals are audited once per window "
       "with a count."},
      {"AUTOMATION_SIGNUP_WINDOW", "Sessions and sign-up",
       "the window of AUTOMATION_SIGNUP_MAX_PER_ADDRESS, in seconds",
       integer(1, kYearSeconds, AUTOMATION_FIELD(core.signup_window_seconds))},
      {"AUTOMATION_LOGIN_NOTICE", "Sessions and sign-up",
       "system use notice shown before login (GET /api/notice), UTF-8",
       text(AUTOMATION_FIELD(core.system_use_notice))},
      {"AUTOMATION_LOGIN_NOTICE_FILE", "Sessions and sign-up",
       "a file holding the system use notice (UTF-8, at most 16 KiB), instead of "
       "AUTOMATION_LOGIN_NOTICE",
       text(AUTOMATION_FIELD(notice_file), false, "path")},
  };
}

std::vector<Setting> password_settings() {
  return {
      {"AUTOMATION_PASSWORD_MIN_LENGTH", "Passwords", "minimum password length (characters)",
       integer(1, 1024, AUTOMATION_FIELD(core.password_min_length))},
      {"AUTOMATION_PASSWORD_MIN_CHARACTER_CLASSES", "Passwords",
       "character classes a new password needs, of lower case, upper case, digit, other",
       integer(0, 4, AUTOMATION_FIELD(core.password_policy.min_character_classes))},
      {"AUTOMATION_PASSWORD_DICTIONARY_CHECK", "Passwords",
       "refuse passwords cracklib finds in its dictionary or based on the username",
       boolean(AUTOMATION_FIELD(core.password_policy.dictionary_check)),
       "Needs Debian's cracklib-runtime dictionary: the service does not start with the check "
       "on and the dictionary missing."},
      {"AUTOMATION_PASSWORD_HISTORY", "Passwords",
       "the last N passwords (the current one included) may not be chosen again; 0 = off",
       integer(0, kMaxPasswordHistory, AUTOMATION_FIELD(core.password_policy.history))},
      {"AUTOMATION_PASSWORD_MAX_AGE_DAYS", "Passwords",
       "a login with an older password must change it first; 0 = never",
       integer(0, 100 * 366, AUTOMATION_FIELD(core.password_policy.max_age_days))},
      {"AUTOMATION_PASSWORD_MIN_AGE_HOURS", "Passwords",
       "an owner's change sooner than this after the previous one is refused; 0 = none",
       integer(0, 366 * 24, AUTOMATION_FIELD(core.password_policy.min_age_hours))},
      {"AUTOMATION_PASSWORD_CHANGE_ON_FIRST_LOGIN", "Passwords",
       "a password someone else set must be changed by its owner at the next login",
       boolean(AUTOMATION_FIELD(core.password_policy.change_on_first_login))},
      {"AUTOMATION_SELF_RESET_REQUIRES_CURRENT_PASSWORD", "Passwords",
       "a reset of one's own password (POST /api/users/reset_password) needs the right "
       "current_password, as change_password does; a wrong one counts as a failed login",
       boolean(AUTOMATION_FIELD(core.password_policy.self_reset_requires_current_password)),
       "Off, as upstream: then a reset of one's own password needs no current password, but "
       "the minimum age, the history and the password throttle apply to it exactly as to "
       "change_password."},
      {"AUTOMATION_PASSWORD_FORMAT", "Passwords",
       "format of new and upgraded password hashes: argon2id, or werkzeug (readable by upstream "
       "PyAutomation)",
       one_of({"argon2id", "werkzeug"}, AUTOMATION_FIELD(password_hash.format)),
       "argon2id upgrades every werkzeug hash at its user's next login. werkzeug writes "
       "pbkdf2:sha256:600000 hashes (OWASP's PBKDF2 figure; a login then costs about 0.3 s of "
       "CPU), keeps existing werkzeug hashes, and rewrites Argon2id ones at their next login, "
       "so upstream PyAutomation can run on the database again (see docs/pyautomation.md)."},
      {"AUTOMATION_ARGON2_MEMORY_KIB", "Passwords",
       "Argon2id memory for new hashes, KiB (OWASP minimum: 19456)",
       integer(8, 1024 * 1024, AUTOMATION_FIELD(password_hash.memory_kib)),
       "Values below the OWASP minimum are for tests and small devices only."},
      {"AUTOMATION_ARGON2_ITERATIONS", "Passwords", "Argon2id passes for new hashes",
       integer(1, 64, AUTOMATION_FIELD(password_hash.iterations))},
  };
}

std::vector<Setting> throttling_settings() {
  return {
      {"AUTOMATION_LOGIN_MAX_FAILURES", "Login throttling",
       "failed password attempts per account from one client address within the window, "
       "before 429",
       integer(0, kMaxFailures, AUTOMATION_FIELD(core.login_max_failures))},
      {"AUTOMATION_LOGIN_ACCOUNT_MAX_FAILURES", "Login throttling",
       "failed password attempts per account from all addresses together (0 = off)",
       integer(0, kMaxFailures, AUTOMATION_FIELD(core.account_max_failures))},
      {"AUTOMATION_LOGIN_ADDRESS_MAX_FAILURES", "Login throttling",
       "failed password attempts per client address across accounts (0 = off)",
       integer(0, kMaxFailures, AUTOMATION_FIELD(core.address_max_failures))},
      {"AUTOMATION_LOGIN_WINDOW", "Login throttling", "throttling window in seconds",
       integer(1, kYearSeconds, AUTOMATION_FIELD(core.login_window_seconds))},
  };
}

std::vector<Setting> audit_settings() {
  return {
      {"AUTOMATION_AUDIT_MAX_AGE_DAYS", "Audit trail",
       "prune audit events older than this many days; 0 = keep forever",
       integer(0, 100 * 366, AUTOMATION_FIELD(core.audit_retention.max_age_days))},
      {"AUTOMATION_AUDIT_MAX_EVENTS", "Audit trail",
       "the audit store's capacity: prune the oldest events beyond it; 0 = unlimited",
       integer(0, 1'000'000'000'000LL, AUTOMATION_FIELD(core.audit_retention.max_events))},
      {"AUTOMATION_AUDIT_WARN_PERCENT", "Audit trail",
       "warn once the store holds this share of AUTOMATION_AUDIT_MAX_EVENTS",
       integer(1, 100, AUTOMATION_FIELD(core.audit_retention.warn_percent))},
  };
}

std::vector<Setting> front_door_settings() {
  return {
      {"AUTOMATION_CORS_ORIGINS", "Browsers and reverse proxies",
       "web pages that may call the API from another origin: * (any, without credentials, as "
       "upstream), off, or a comma-separated list of origins (scheme://host[:port])",
       cors_origins(),
       "Every answer carries the CORS headers for an allowed origin, and a preflight (OPTIONS "
       "with Access-Control-Request-Method) answers 204. A listed origin is also allowed "
       "credentials: the session cookie works from it, and its state-changing requests pass the "
       "cross-site check. With * a cookie never authenticates another origin's request."},
      {"AUTOMATION_FORWARD_TOKEN_TTL", "Browsers and reverse proxies",
       "seconds a token minted by /api/auth/verify (X-Automation-Token) stays valid",
       integer(1, 3600, AUTOMATION_FIELD(front_door.forward_token_ttl_seconds)),
       "An HS256 JWT signed with AUTOMATION_APP_SECRET_KEY, which upstream PyAutomation accepts "
       "as a third-party token; a reverse proxy asks for a fresh one on every request, so a "
       "short life is enough. Its iat is set 30 seconds back, for a backend whose clock runs "
       "behind."},
      {"AUTOMATION_COOKIE_SECURE", "Browsers and reverse proxies",
       "send the browser session cookie with Secure although this listener speaks plain HTTP "
       "(behind a TLS proxy)",
       boolean(AUTOMATION_FIELD(front_door.cookie_secure)),
       "With AUTOMATION_TLS_CERT_FILE the cookie is always Secure."},
      {"AUTOMATION_COOKIE_DOMAIN", "Browsers and reverse proxies",
       "Domain of the browser session cookie, to share one login among apps on sub-domains; "
       "empty = this host only",
       cookie_domain(AUTOMATION_FIELD(front_door.cookie_domain))},
      {"AUTOMATION_LOGIN_REDIRECT_HOSTS", "Browsers and reverse proxies",
       "hosts (name or name:port) the login page may send the browser back to, besides its own",
       host_list(AUTOMATION_FIELD(front_door.login_redirect_hosts)),
       "Compared exactly with the return address's host; a name without a port matches any "
       "port. A relative return address (/path) always stays on this service's host."},
  };
}

std::vector<Setting> signature_settings() {
  return {
      {"AUTOMATION_SIGNATURE_MEANINGS", "Electronic signatures",
       "the meanings a signature may carry, each with the highest role level that may sign "
       "with it; empty = signing off",
       meaning_levels(AUTOMATION_FIELD(core.signatures.meanings)),
       "meaning:level pairs, comma-separated: performed:10 lets roles of level 10 and below "
       "(operator, supervisor, admin, sudo) sign as performed. Stored signatures are read and "
       "verified whatever this says. See docs/signatures.md."},
      {"AUTOMATION_SIGNATURE_COMMENT_REQUIRED", "Electronic signatures",
       "meanings whose signatures need a comment (comma-separated)",
       meaning_list(AUTOMATION_FIELD(core.signatures.comment_required))},
      {"AUTOMATION_SIGNATURE_VERIFICATION_REQUIRED", "Electronic signatures",
       "meanings whose signatures need a second person's countersignature (comma-separated)",
       meaning_list(AUTOMATION_FIELD(core.signatures.verification_required)),
       "Such a signature shows verification_required and, until a different person "
       "countersigns it, no verification."},
  };
}

std::vector<Setting> mfa_settings() {
  return {
      {"AUTOMATION_MFA_REQUIRED_LEVEL", "Multi-factor authentication",
       "roles of this level or lower (more privileged) must use MFA; empty = nobody must",
       optional_integer(0, 1'000'000, AUTOMATION_FIELD(core.mfa.required_level)),
       "A session of such a user without MFA may only set it up (and log out); the `system` "
       "account is exempt (the local break-glass account). Third-party tokens are unaffected.",
       false, FlagScope::kNone, "", "off"},
      {"AUTOMATION_MFA_KEY_FILE", "Multi-factor authentication",
       "key that seals TOTP secrets at rest: a file of at least 32 bytes, not readable by group "
       "or others",
       text(AUTOMATION_FIELD(mfa_key.key_file), false, "path"),
       "Unset: a key generated and kept in the database (a warning says so at start). Every node "
       "of a cluster needs the same key; changing it makes every enrolled secret unusable.",
       false, FlagScope::kNone, "", "none: a key kept in the database"},
      {"AUTOMATION_MFA_MAX_FAILURES", "Multi-factor authentication",
       "wrong second-factor codes per account within AUTOMATION_LOGIN_WINDOW, before 429 "
       "(0 = off)",
       integer(0, kMaxFailures, AUTOMATION_FIELD(core.mfa.max_failures)),
       "Counted apart from failed passwords, and only after a right password; a right code "
       "resets it."},
      {"AUTOMATION_MFA_ADDRESS_MAX_FAILURES", "Multi-factor authentication",
       "wrong second-factor codes per client address across accounts (0 = off)",
       integer(0, kMaxFailures, AUTOMATION_FIELD(core.mfa.address_max_failures))},
      {"AUTOMATION_MFA_ISSUER", "Multi-factor authentication",
       "the name authenticator apps show the account under",
       text(AUTOMATION_FIELD(core.mfa.issuer), /*non_empty=*/true)},
  };
}

std::vector<Setting> directory_settings() {
  const std::string section = "Directory login (LDAP, Active Directory)";
  return {
      {"AUTOMATION_LDAP_URLS", section,
       "directory servers, comma-separated ldaps:// or ldap:// URLs tried in order; empty = "
       "directory login off",
       ldap_urls(),
       "A server that cannot be reached (down, timeout, TLS failure) sends the login to the "
       "next; an answer, even a refusal, is final. ldap:// needs AUTOMATION_LDAP_START_TLS. "
       "Local accounts (the system user above all) always log in locally. See "
       "docs/directory-login.md."},
      {"AUTOMATION_LDAP_TIMEOUT", section,
       "seconds to connect to a directory server, and for each operation on it",
       integer(1, 300, AUTOMATION_FIELD(ldap.timeout_seconds))},
      {"AUTOMATION_LDAP_START_TLS", section, "StartTLS on ldap:// URLs before anything is sent",
       boolean(AUTOMATION_FIELD(ldap.start_tls))},
      {"AUTOMATION_LDAP_CA_FILE", section,
       "PEM file of the CAs that check the directory's certificate; empty = the system's",
       text(AUTOMATION_FIELD(ldap.ca_file), false, "path"),
       "The certificate (and its host name) is always checked, unless "
       "AUTOMATION_LDAP_INSECURE_SKIP_VERIFY says otherwise."},
      {"AUTOMATION_LDAP_INSECURE_SKIP_VERIFY", section,
       "INSECURE: do not check the directory's certificate (anyone on the path can read "
       "passwords); for tests only",
       boolean(AUTOMATION_FIELD(ldap.insecure_skip_verify))},
      {"AUTOMATION_LDAP_BIND_DN", section,
       "DN of the service account that searches for users; empty = anonymous search",
       text(AUTOMATION_FIELD(ldap.bind_dn))},
      {"AUTOMATION_LDAP_BIND_PASSWORD_FILE", section,
       "file holding the service account's password (not readable by group or others)",
       text(AUTOMATION_FIELD(ldap.bind_password_file), false, "path"),
       "A trailing newline is not part of the password. Never in the environment or a flag."},
      {"AUTOMATION_LDAP_USER_BASE", section, "where users are searched (subtree)",
       text(AUTOMATION_FIELD(ldap.user_base))},
      {"AUTOMATION_LDAP_USER_FILTER", section,
       "the search for a user; {username} is the name given at login, escaped (RFC 4515)",
       ldap_filter("{username}", false, AUTOMATION_FIELD(ldap.user_filter)),
       "Active Directory: (&(objectClass=user)(sAMAccountName={username}))."},
      {"AUTOMATION_LDAP_USERNAME_ATTRIBUTE", section,
       "attribute holding the username the local user row gets (AD: sAMAccountName)",
       text(AUTOMATION_FIELD(ldap.username_attribute), true)},
      {"AUTOMATION_LDAP_EMAIL_ATTRIBUTE", section, "attribute holding the e-mail address",
       text(AUTOMATION_FIELD(ldap.email_attribute), true)},
      {"AUTOMATION_LDAP_NAME_ATTRIBUTE", section, "attribute holding the given name",
       text(AUTOMATION_FIELD(ldap.name_attribute), true)},
      {"AUTOMATION_LDAP_LASTNAME_ATTRIBUTE", section, "attribute holding the last name",
       text(AUTOMATION_FIELD(ldap.lastname_attribute), true)},
      {"AUTOMATION_LDAP_GROUP_ATTRIBUTE", section,
       "attribute of the user's entry that lists their groups' DNs",
       text(AUTOMATION_FIELD(ldap.group_attribute), true),
       "Used unless AUTOMATION_LDAP_GROUP_FILTER is set. OpenLDAP needs the memberof overlay "
       "for memberOf."},
      {"AUTOMATION_LDAP_GROUP_FILTER", section,
       "find the user's groups by this search instead; {dn} is the user's DN, escaped",
       ldap_filter("{dn}", true, AUTOMATION_FIELD(ldap.group_filter)),
       "E.g. (&(objectClass=groupOfNames)(member={dn})). Active Directory's nested groups: "
       "(member:1.2.840.113556.1.4.1941:={dn})."},
      {"AUTOMATION_LDAP_GROUP_BASE", section,
       "where AUTOMATION_LDAP_GROUP_FILTER searches; empty = AUTOMATION_LDAP_USER_BASE",
       text(AUTOMATION_FIELD(ldap.group_base))},
      {"AUTOMATION_LDAP_GROUP_ROLE_MAP", section,
       "which role each group gives: <group DN> => <role>, separated by ';'", group_role_map(),
       "A user in several mapped groups gets the most privileged role (lowest level); a user in "
       "none is refused. sudo is never mapped."},
      {"AUTOMATION_LDAP_OFFLINE_LOGIN_HOURS", section,
       "hours a directory user may still log in with their last accepted password while no "
       "directory server can be reached; 0 = off",
       integer(0, 24 * 366, AUTOMATION_FIELD(core.directory.offline_login_hours)),
       "Keeps an Argon2id hash of the password from each successful directory login. Used only "
       "when every server is unreachable, never when the directory answers (wrong password, "
       "disabled); such logins are audited as offline."},
      {"AUTOMATION_LDAP_SYNC_SECONDS", section,
       "seconds between re-reads of the directory users that hold sessions; 0 = never",
       integer(0, 86400, AUTOMATION_FIELD(ldap_sync_seconds)),
       "A user disabled, deleted or no longer in a mapped group loses their sessions; a changed "
       "group changes the role. A directory that does not answer changes nothing."},
  };
}

std::vector<Setting> oidc_settings() {
  const std::string section = "OpenID Connect provider";
  return {
      {"AUTOMATION_OIDC_ENABLED", section,
       "act as an OpenID Connect provider (discovery, JWKS, /oidc/*)",
       boolean(AUTOMATION_FIELD(oidc.enabled)),
       "Off: /.well-known/openid-configuration and every /oidc/ path answer 404 and no signing "
       "key is generated or read. See docs/oidc.md."},
      {"AUTOMATION_OIDC_ISSUER", section,
       "the public base URL clients reach the provider at (its issuer), without a trailing slash",
       issuer_url(AUTOMATION_FIELD(oidc.issuer)),
       "Clients compare it byte for byte with the iss of every token, so it must be the address "
       "they use (behind a reverse proxy: the proxy's). Unset: http(s)://HOST:PORT of the "
       "listener (https with AUTOMATION_TLS_CERT_FILE), with 127.0.0.1 for 0.0.0.0 and [::1] "
       "for ::, which only suits clients on this machine.",
       false, FlagScope::kNone, "", "derived from the listener"},
      {"AUTOMATION_OIDC_ID_TOKEN_SECONDS", section, "seconds an ID token is valid",
       integer(30, 86400, AUTOMATION_FIELD(oidc.id_token_seconds))},
      {"AUTOMATION_OIDC_ACCESS_TOKEN_SECONDS", section,
       "seconds an access token (a signed JWT) is valid",
       integer(30, 86400, AUTOMATION_FIELD(oidc.access_token_seconds)),
       "Resource servers that check the signature alone accept a revoked token until it "
       "expires: keep it short, or have them use introspection."},
      {"AUTOMATION_OIDC_REFRESH_TOKEN_SECONDS", section, "seconds a refresh token is valid",
       integer(60, kYearSeconds, AUTOMATION_FIELD(oidc.refresh_token_seconds))},
      {"AUTOMATION_OIDC_CODE_SECONDS", section,
       "seconds an authorization code may wait to be exchanged",
       integer(10, 600, AUTOMATION_FIELD(oidc.code_seconds))},
      {"AUTOMATION_OIDC_RSA_KEY_FILE", section,
       "RS256 signing key: a PEM RSA private key of at least 2048 bits, not readable by group "
       "or others",
       text(AUTOMATION_FIELD(oidc.rsa_key_file), false, "path"),
       "Set together with AUTOMATION_OIDC_EC_KEY_FILE, or neither: then both keys are generated "
       "at the first start and kept in the database (a warning at start says so), and "
       "`automation oidc rotate-keys` rotates them. With files, rotate by replacing the files. "
       "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out oidc-rsa.pem",
       false, FlagScope::kNone, "", "none: keys kept in the database"},
      {"AUTOMATION_OIDC_EC_KEY_FILE", section,
       "ES256 signing key: a PEM EC private key on P-256, not readable by group or others",
       text(AUTOMATION_FIELD(oidc.ec_key_file), false, "path"),
       "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out oidc-ec.pem",
       false, FlagScope::kNone, "", "none: keys kept in the database"},
  };
}

#undef AUTOMATION_FIELD

std::vector<Setting> build_table() {
  std::vector<Setting> table;
  for (auto part :
       {http_server_settings(), logging_settings(), database_settings(), secret_settings(),
        session_settings(), password_settings(), throttling_settings(), audit_settings(),
        front_door_settings(), mfa_settings(), signature_settings(), directory_settings(),
        oidc_settings()}) {
    std::move(part.begin(), part.end(), std::back_inserter(table));
  }
  return table;
}

}  // namespace

const std::vector<Setting>& setting_table() {
  static const std::vector<Setting> table = build_table();
  return table;
}

const Setting* find_setting(std::string_view key) {
  const auto& table = setting_table();
  const auto found =
      std::find_if(table.begin(), table.end(), [&](const Setting& row) { return row.key == key; });
  return found == table.end() ? nullptr : &*found;
}

}  // namespace automation::config
