#include "automation/config/loader.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iterator>
#include <limits>
#include <string_view>

#include "automation/core/model.hpp"
#include "automation/core/text.hpp"

extern char** environ;  // POSIX; read only by read_environment()

namespace automation::config {
namespace {

constexpr std::string_view kPrefix = "AUTOMATION_";

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return std::string(text.substr(first, last - first + 1));
}

std::unexpected<Error> bad(std::string_view key, std::string_view why) {
  return fail(ErrorCode::kInvalidArgument, std::string(key) + ": " + std::string(why));
}

// Reads typed values from the merged settings, failing with the key's name.
class Reader {
 public:
  explicit Reader(Settings settings) : settings_(std::move(settings)) {}

  std::optional<std::string> text(const std::string& key) const {
    auto it = settings_.find(key);
    if (it == settings_.end()) return std::nullopt;
    return it->second;
  }

  Status integer(const std::string& key, long long min, long long max, long long& out) const {
    auto value = text(key);
    if (!value) return {};
    long long parsed = 0;
    const auto* end = value->data() + value->size();
    auto [ptr, ec] = std::from_chars(value->data(), end, parsed);
    if (ec != std::errc() || ptr != end || parsed < min || parsed > max) {
      return bad(key, "must be an integer between " + std::to_string(min) + " and " +
                          std::to_string(max));
    }
    out = parsed;
    return {};
  }

  Status boolean(const std::string& key, bool& out) const {
    auto value = text(key);
    if (!value) return {};
    if (*value == "true" || *value == "1" || *value == "yes" || *value == "True") {
      out = true;
    } else if (*value == "false" || *value == "0" || *value == "no" || *value == "False") {
      out = false;
    } else {
      return bad(key, "must be true or false");
    }
    return {};
  }

 private:
  Settings settings_;
};

template <typename T>
Status assign_integer(const Reader& reader, const std::string& key, long long min, long long max,
                      T& field) {
  long long value = static_cast<long long>(field);
  if (auto status = reader.integer(key, min, max, value); !status) return status;
  field = static_cast<T>(value);
  return {};
}

// A comma-separated list of IPv4/IPv6 addresses, written as the server sees peers
// ("127.0.0.1", "::1"). Exact addresses only: a proxy is a known machine, not a network.
Result<std::vector<std::string>> parse_trusted_proxies(std::string_view text) {
  std::vector<std::string> proxies;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (item.empty()) continue;
    // Kept in inet_ntop's canonical text, the form the server renders peer addresses in.
    in6_addr buffer{};
    char canonical[INET6_ADDRSTRLEN] = {};
    const int family = item.find(':') == std::string::npos ? AF_INET : AF_INET6;
    // inet_pton reads a C string: a NUL byte would hide whatever follows it.
    if (item.find('\0') != std::string::npos || inet_pton(family, item.c_str(), &buffer) != 1 ||
        inet_ntop(family, &buffer, canonical, sizeof canonical) == nullptr) {
      return fail(ErrorCode::kInvalidArgument,
                  "'" + item + "' is not an IP address (a comma-separated list of addresses)");
    }
    proxies.emplace_back(canonical);
  }
  return proxies;
}

// AUTOMATION_METRICS: on | off | host:port (IPv6 hosts in brackets).
Result<MetricsConfig> parse_metrics(std::string_view text) {
  MetricsConfig metrics;
  if (text == "on") return metrics;
  if (text == "off") {
    metrics.mode = MetricsConfig::Mode::kOff;
    return metrics;
  }
  const auto colon = text.rfind(':');
  const auto why = "must be on, off or host:port (e.g. 127.0.0.1:9464)";
  if (colon == std::string_view::npos || colon == 0) return fail(ErrorCode::kInvalidArgument, why);
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
    return fail(ErrorCode::kInvalidArgument, why);
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  in6_addr buffer{};
  const std::string host_text(host);
  const int family = host_text.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (host_text.find('\0') != std::string::npos ||
      inet_pton(family, host_text.c_str(), &buffer) != 1) {
    return fail(ErrorCode::kInvalidArgument, "the host of host:port must be an IP address");
  }
  metrics.mode = MetricsConfig::Mode::kOwnListener;
  metrics.listen = std::string(text);
  return metrics;
}

Status load_logging(const Reader& reader, LoggingConfig& logging) {
  if (auto format = reader.text("AUTOMATION_LOG_FORMAT")) {
    if (*format == "text") {
      logging.format = LoggingConfig::Format::kText;
    } else if (*format == "json") {
      logging.format = LoggingConfig::Format::kJson;
    } else {
      return bad("AUTOMATION_LOG_FORMAT", "must be text or json");
    }
  }
  if (auto level = reader.text("AUTOMATION_LOG_LEVEL")) {
    constexpr std::string_view kLevels[] = {"trace", "debug", "info",    "warn",
                                            "error", "critical", "off"};
    if (std::find(std::begin(kLevels), std::end(kLevels), *level) == std::end(kLevels)) {
      return bad("AUTOMATION_LOG_LEVEL", "must be trace, debug, info, warn, error, critical or off");
    }
    logging.level = *level;
  }
  if (auto access = reader.text("AUTOMATION_ACCESS_LOG")) {
    if (*access == "on") {
      logging.access_log = true;
    } else if (*access == "off") {
      logging.access_log = false;
    } else {
      return bad("AUTOMATION_ACCESS_LOG", "must be on or off");
    }
  }
  return {};
}

}  // namespace

Result<Settings> parse_dotenv(const std::filesystem::path& path) {
  Settings settings;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return settings;
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::kInvalidArgument, path.string() + ": cannot be read");
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    // Environment variables and arguments cannot hold a NUL byte, and values reach C APIs
    // (inet_pton, file names) that would silently cut them there.
    if (line.find('\0') != std::string::npos) {
      return fail(ErrorCode::kInvalidArgument,
                  path.string() + ":" + std::to_string(number) + ": contains a NUL byte");
    }
    std::string content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    if (content.starts_with("export ")) content = trim(content.substr(7));
    const auto eq = content.find('=');
    if (eq == std::string::npos || eq == 0) {
      return fail(ErrorCode::kInvalidArgument,
                  path.string() + ":" + std::to_string(number) + ": expected KEY=VALUE");
    }
    std::string key = trim(content.substr(0, eq));
    std::string value = trim(content.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    settings[std::move(key)] = std::move(value);
  }
  return settings;
}

Settings read_environment() {
  Settings settings;
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string_view text(*entry);
    if (!text.starts_with(kPrefix)) continue;
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    settings.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return settings;
}

namespace {

// Audit trail: key file, retention and capacity (README "Security controls").
Status assign_audit_settings(const Reader& reader, Config& config) {
  if (auto key_file = reader.text("AUTOMATION_AUDIT_KEY_FILE")) config.audit.key_file = *key_file;
  AuditRetentionSettings& retention = config.core.audit_retention;
  for (const Status& status : {
           assign_integer(reader, "AUTOMATION_AUDIT_MAX_AGE_DAYS", 0, 100 * 366,
                          retention.max_age_days),
           assign_integer(reader, "AUTOMATION_AUDIT_MAX_EVENTS", 0, 1'000'000'000'000LL,
                          retention.max_events),
           assign_integer(reader, "AUTOMATION_AUDIT_WARN_PERCENT", 1, 100, retention.warn_percent),
       }) {
    if (!status) return status;
  }
  return {};
}

// Concurrent sessions and the system use notice (README "Security controls").
Status assign_session_controls(const Reader& reader, Config& config) {
  CoreSettings& core = config.core;
  if (auto status = assign_integer(reader, "AUTOMATION_MAX_SESSIONS_PER_USER", 0, 1'000'000,
                                   core.max_sessions_per_user);
      !status) {
    return status;
  }
  constexpr long long kCentury = 100LL * 366 * 24 * 3600;
  if (auto status = assign_integer(reader, "AUTOMATION_SESSION_IDLE_TIMEOUT", 0, kCentury,
                                   core.session_idle_seconds);
      !status) {
    return status;
  }
  // Last use is recorded once a minute at most, so a shorter limit could not be kept.
  if (core.session_idle_seconds > 0 && core.session_idle_seconds < kSessionUseResolution) {
    return bad("AUTOMATION_SESSION_IDLE_TIMEOUT", "must be 0 (off) or at least 60 seconds");
  }
  const auto text = reader.text("AUTOMATION_LOGIN_NOTICE");
  const auto file = reader.text("AUTOMATION_LOGIN_NOTICE_FILE");
  if (text && file) {
    return bad("AUTOMATION_LOGIN_NOTICE_FILE", "set either it or AUTOMATION_LOGIN_NOTICE, not both");
  }
  if (text) core.system_use_notice = *text;
  if (file) {
    std::ifstream in(*file, std::ios::binary);
    if (!in) return bad("AUTOMATION_LOGIN_NOTICE_FILE", "cannot read '" + *file + "'");
    std::string notice((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    constexpr std::size_t kMaxNotice = 16 * 1024;
    if (notice.size() > kMaxNotice) return bad("AUTOMATION_LOGIN_NOTICE_FILE", "must be at most 16 KiB");
    core.system_use_notice = std::move(notice);
  }
  if (!is_valid_utf8(core.system_use_notice)) {
    return bad(file ? "AUTOMATION_LOGIN_NOTICE_FILE" : "AUTOMATION_LOGIN_NOTICE",
               "must be UTF-8 text");
  }
  return {};
}

// Password strength and lifetime (README "Security controls").
Status assign_password_rules(const Reader& reader, Config& config) {
  PasswordPolicySettings& rules = config.core.password_policy;
  for (const Status& status : {
           assign_integer(reader, "AUTOMATION_PASSWORD_MIN_CHARACTER_CLASSES", 0, 4,
                          rules.min_character_classes),
           reader.boolean("AUTOMATION_PASSWORD_DICTIONARY_CHECK", rules.dictionary_check),
           assign_integer(reader, "AUTOMATION_PASSWORD_HISTORY", 0, kMaxPasswordHistory,
                          rules.history),
           assign_integer(reader, "AUTOMATION_PASSWORD_MAX_AGE_DAYS", 0, 100 * 366,
                          rules.max_age_days),
           assign_integer(reader, "AUTOMATION_PASSWORD_MIN_AGE_HOURS", 0, 366 * 24,
                          rules.min_age_hours),
           reader.boolean("AUTOMATION_PASSWORD_CHANGE_ON_FIRST_LOGIN",
                          rules.change_on_first_login),
       }) {
    if (!status) return status;
  }
  return {};
}

}  // namespace

Result<Config> load(const Sources& sources) {
  Settings merged = sources.dotenv;
  for (const auto& layer : {&sources.environment, &sources.flags}) {
    for (const auto& [key, value] : *layer) merged[key] = value;
  }
  const Reader reader(std::move(merged));
  Config config;

  if (auto host = reader.text("AUTOMATION_HOST")) {
    if (host->empty()) return bad("AUTOMATION_HOST", "must not be empty");
    config.server.host = *host;
  }
  for (const Status& status :
       {assign_integer(reader, "AUTOMATION_PORT", 1, 65535, config.server.port),
        assign_integer(reader, "AUTOMATION_THREADS", 0, 256, config.server.threads),
        assign_integer(reader, "AUTOMATION_MAX_CONNECTIONS", 0, 1'000'000,
                       config.server.max_connections),
        assign_integer(reader, "AUTOMATION_READ_TIMEOUT", 1, 3600,
                       config.server.read_timeout_seconds),
        assign_integer(reader, "AUTOMATION_WRITE_TIMEOUT", 1, 3600,
                       config.server.write_timeout_seconds)}) {
    if (!status) return fail(status.error());
  }
  if (auto proxies = reader.text("AUTOMATION_TRUSTED_PROXIES")) {
    auto parsed = parse_trusted_proxies(*proxies);
    if (!parsed) return bad("AUTOMATION_TRUSTED_PROXIES", parsed.error().message);
    config.server.trusted_proxies = std::move(*parsed);
  }
  config.server.tls_cert_file = reader.text("AUTOMATION_TLS_CERT_FILE").value_or("");
  config.server.tls_key_file = reader.text("AUTOMATION_TLS_KEY_FILE").value_or("");
  // One without the other would serve plain HTTP where the operator asked for HTTPS.
  if (config.server.tls_cert_file.empty() != config.server.tls_key_file.empty()) {
    return bad(config.server.tls_cert_file.empty() ? "AUTOMATION_TLS_CERT_FILE"
                                                   : "AUTOMATION_TLS_KEY_FILE",
               "must be set together with " +
                   std::string(config.server.tls_cert_file.empty() ? "AUTOMATION_TLS_KEY_FILE"
                                                                   : "AUTOMATION_TLS_CERT_FILE") +
                   " (both for HTTPS, neither for plain HTTP)");
  }
  if (auto status = load_logging(reader, config.logging); !status) return fail(status.error());
  if (auto metrics = reader.text("AUTOMATION_METRICS")) {
    auto parsed = parse_metrics(*metrics);
    if (!parsed) return bad("AUTOMATION_METRICS", parsed.error().message);
    config.metrics = std::move(*parsed);
  }
  if (auto tz = reader.text("AUTOMATION_TIMEZONE")) {
    if (tz->empty()) return bad("AUTOMATION_TIMEZONE", "must be an IANA time zone name");
    config.server.timezone = *tz;
  }

  if (auto type = reader.text("AUTOMATION_DB_TYPE")) {
    if (*type != "sqlite" && *type != "postgresql" && *type != "mysql") {
      return bad("AUTOMATION_DB_TYPE", "must be sqlite, postgresql or mysql");
    }
    config.database.type = *type;
  }
  if (auto file = reader.text("AUTOMATION_DB_FILE")) {
    if (file->empty()) return bad("AUTOMATION_DB_FILE", "must not be empty");
    config.database.file = *file;
  }
  config.database.host = reader.text("AUTOMATION_DB_HOST").value_or(config.database.host);
  config.database.user = reader.text("AUTOMATION_DB_USER").value_or("");
  config.database.password = reader.text("AUTOMATION_DB_PASSWORD").value_or("");
  config.database.name = reader.text("AUTOMATION_DB_NAME").value_or("");
  if (auto sslmode = reader.text("AUTOMATION_DB_SSLMODE")) {
    constexpr std::string_view kModes[] = {"disable",   "allow",     "prefer",
                                           "require",   "verify-ca", "verify-full"};
    if (std::find(std::begin(kModes), std::end(kModes), *sslmode) == std::end(kModes)) {
      return bad("AUTOMATION_DB_SSLMODE",
                 "must be disable, allow, prefer, require, verify-ca or verify-full");
    }
    config.database.sslmode = *sslmode;
  }
  if (auto status = assign_integer(reader, "AUTOMATION_DB_PORT", 1, 65535, config.database.port);
      !status) {
    return fail(status.error());
  }
  if (auto secret = reader.text("AUTOMATION_APP_SECRET_KEY")) {
    if (secret->size() < 32) return bad("AUTOMATION_APP_SECRET_KEY", "must be at least 32 bytes");
    config.secrets.app_secret_key = *secret;
  }
  if (auto password = reader.text("AUTOMATION_SUPERUSER_PASSWORD"); password && !password->empty()) {
    config.secrets.superuser_password = *password;
  }

  CoreSettings& core = config.core;
  constexpr long long kYear = 366LL * 24 * 3600;
  // Every key is checked; the first failure (in this order) is reported.
  for (const Status& status : {
           assign_integer(reader, "AUTOMATION_SESSION_TTL", 0, 100 * kYear,
                          core.session_ttl_seconds),
           reader.boolean("AUTOMATION_ALLOW_SIGNUP", core.allow_signup),
           assign_integer(reader, "AUTOMATION_PASSWORD_MIN_LENGTH", 1, 1024,
                          core.password_min_length),
           assign_integer(reader, "AUTOMATION_LOGIN_MAX_FAILURES", 0, 1'000'000,
                          core.login_max_failures),
           assign_integer(reader, "AUTOMATION_LOGIN_ACCOUNT_MAX_FAILURES", 0, 1'000'000,
                          core.account_max_failures),
           assign_integer(reader, "AUTOMATION_LOGIN_ADDRESS_MAX_FAILURES", 0, 1'000'000,
                          core.address_max_failures),
           assign_integer(reader, "AUTOMATION_LOGIN_WINDOW", 1, kYear, core.login_window_seconds),
           // Lowering these below the OWASP minimum is for tests and small devices only.
           assign_integer(reader, "AUTOMATION_ARGON2_MEMORY_KIB", 8, 1024 * 1024,
                          config.password_hash.memory_kib),
           assign_integer(reader, "AUTOMATION_ARGON2_ITERATIONS", 1, 64,
                          config.password_hash.iterations),
       }) {
    if (!status) return fail(status.error());
  }
  if (auto status = assign_audit_settings(reader, config); !status) return fail(status.error());
  if (auto status = assign_session_controls(reader, config); !status) return fail(status.error());
  if (auto status = assign_password_rules(reader, config); !status) return fail(status.error());
  return config;
}

}  // namespace automation::config
