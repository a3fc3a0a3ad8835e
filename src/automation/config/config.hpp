#pragma once

// The service's configuration as plain immutable values (SPEC §5), parsed once at start.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "automation/core/settings.hpp"
#include "automation/directory/ldap_options.hpp"

namespace automation::config {

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8050;
  unsigned threads = 0;  // 0 = one per core
  std::string timezone = "America/Caracas";
  // Peers whose X-Forwarded-For names the client (reverse proxies); empty = trust nobody.
  std::vector<std::string> trusted_proxies;
  // Connections served at once; 0 = derived from the descriptor limit at start (the process
  // knows its limit only after raising it, so the config layer cannot).
  std::size_t max_connections = 0;
  // Connections one client address may hold at once; 0 = a tenth of max_connections (rounded
  // up), known once that is.
  std::size_t max_connections_per_address = 0;
  // Seconds a connection may take to deliver a whole request (head and body) after it is
  // accepted or after its previous response; the same clock bounds an idle keep-alive.
  unsigned read_timeout_seconds = 20;
  // Seconds a response may take to be written to a client that reads slowly or not at all.
  unsigned write_timeout_seconds = 30;
  // MiB of answers handed to connections and not yet written; past it big answers get 503.
  std::size_t response_memory_mib = 256;
  // HTTPS: both set (PEM certificate chain and private key) or neither (plain HTTP).
  std::string tls_cert_file;
  std::string tls_key_file;
};

struct DatabaseConfig {
  std::string type = "sqlite";  // sqlite | postgresql | mysql
  std::string file = "app.db";
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = the driver's default
  std::string user;
  std::string password;
  std::string name;
  std::string
      sslmode;  // PostgreSQL TLS: disable | allow | prefer | require | verify-ca | verify-full
};

struct SecretsConfig {
  std::optional<std::string> app_secret_key;      // TPT signing secret (>= 32 bytes)
  std::optional<std::string> superuser_password;  // the system user's password
};

// Argon2id cost for new hashes (OWASP minimum by default: m = 19 MiB, t = 2, p = 1).
struct PasswordHashConfig {
  std::size_t memory_kib = 19456;
  unsigned long long iterations = 2;
  // The format of new hashes: "argon2id", or "werkzeug" (pbkdf2:sha256, which upstream
  // PyAutomation can verify: the way back after a trial).
  std::string format = "argon2id";
};

// The audit chain's HMAC key (core/audit_chain.hpp): a file outside the database, or ""
// to keep a generated key in the database's settings table.
struct AuditConfig {
  std::string key_file;
};

// The Ed25519 key that seals electronic signatures (docs/signatures.md): a file outside the
// database, or "" to keep a generated key in the database's settings table.
struct SigningConfig {
  std::string key_file;
};

// The key that seals MFA secrets at rest (crypto/secret_box.hpp): a file outside the database,
// or "" to keep a generated key in the database's settings table.
struct MfaKeyConfig {
  std::string key_file;
};

// The OpenID Connect provider (docs/oidc.md). Off by default: then /.well-known/openid-configuration
// and /oidc/* answer 404 and no signing key is generated or read.
struct OidcConfig {
  bool enabled = false;
  // The public base URL clients use ("https://idp.plant.local", no trailing slash). "" in the
  // settings = derived from the listener (derived_oidc_issuer); the loader fills it in.
  std::string issuer;
  unsigned id_token_seconds = 300;
  unsigned access_token_seconds = 300;
  unsigned refresh_token_seconds = 28800;
  unsigned code_seconds = 60;
  // PEM private keys (RSA >= 2048 bits; EC P-256): both set, or neither to keep generated
  // keys in the database's settings table.
  std::string rsa_key_file;
  std::string ec_key_file;
};

// Log lines (spdlog on stderr).
struct LoggingConfig {
  enum class Format { kText, kJson };
  Format format = Format::kText;
  std::string level = "info";  // spdlog level name: trace debug info warn error critical off
  bool access_log = true;      // one line per request
};

// Where GET /metrics (Prometheus text format) is served.
struct MetricsConfig {
  enum class Mode {
    kOff,           // no metrics endpoint
    kSameListener,  // /metrics on the API's address and port, without authentication
    kOwnListener,   // /metrics on `listen` only (host:port), not on the API's listener
  };
  Mode mode = Mode::kSameListener;
  std::string listen;  // kOwnListener: "host:port" ("[::1]:9464" for IPv6)
};

// Browsers and reverse proxies: CORS, the browser session cookie, the login page's return
// addresses and forward authentication's tokens.
struct FrontDoorConfig {
  enum class CorsMode {
    kAnyOrigin,  // "*": any origin may read answers, never with credentials (upstream's)
    kListed,     // only the origins listed, with credentials
    kOff,        // no CORS headers at all
  };
  CorsMode cors_mode = CorsMode::kAnyOrigin;
  std::vector<std::string> cors_origins;  // kListed: "scheme://host[:port]", lower case
  unsigned forward_token_ttl_seconds = 60;
  bool cookie_secure = false;        // Secure on the session cookie even over plain HTTP
  std::string cookie_domain;         // "" = a host-only cookie
  std::vector<std::string> login_redirect_hosts;  // "host" or "host:port", lower case
};

struct Config {
  ServerConfig server;
  FrontDoorConfig front_door;
  LoggingConfig logging;
  MetricsConfig metrics;
  DatabaseConfig database;
  SecretsConfig secrets;
  CoreSettings core;
  PasswordHashConfig password_hash;
  AuditConfig audit;
  SigningConfig signing;
  MfaKeyConfig mfa_key;
  OidcConfig oidc;
  // AUTOMATION_LOGIN_NOTICE_FILE, when the notice (core.system_use_notice) was read from a file.
  std::string notice_file;
  // Directory login: how to reach the directory (the rules are in core.directory), and how
  // often the server re-reads the directory users that hold sessions (0 = never).
  directory::LdapOptions ldap;
  unsigned ldap_sync_seconds = 300;
};

}  // namespace automation::config
