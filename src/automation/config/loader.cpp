#include "automation/config/loader.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string_view>

#include "automation/config/oidc_syntaxes.hpp"
#include "automation/config/secret_file.hpp"
#include "automation/config/setting_table.hpp"
#include "automation/core/text.hpp"

extern char** environ;  // POSIX; read only by read_environment()

namespace automation::config {
namespace {

constexpr std::string_view kPrefix = "AUTOMATION_";

Error bad(std::string_view key, std::string_view why) {
  return Error::make(ErrorCode::kInvalidArgument, std::string(key) + ": " + std::string(why));
}

// A value with where it came from; later sources win.
struct SourcedValue {
  std::string value;
  Origin origin = Origin::kDefault;
};

std::map<std::string, SourcedValue> merge(const Sources& sources) {
  std::map<std::string, SourcedValue> merged;
  for (const auto& [layer, origin] : {std::pair{&sources.dotenv, Origin::kSettingsFile},
                                      std::pair{&sources.environment, Origin::kEnvironment},
                                      std::pair{&sources.flags, Origin::kFlag}}) {
    for (const auto& [key, value] : *layer) merged[key] = SourcedValue{value, origin};
  }
  return merged;
}

// The known key nearest to an unknown one (a typo's likely meaning), or "".
std::string nearest_key(std::string_view unknown) {
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  };
  std::string best;
  std::size_t best_distance = 4;  // further than this is no likely typo
  for (const Setting& setting : setting_table()) {
    const std::size_t d = distance(unknown, setting.key);
    if (d < best_distance) {
      best_distance = d;
      best = setting.key;
    }
  }
  return best;
}

// Directory login: what a configuration with AUTOMATION_LDAP_URLS needs, and the bind password
// read from its file (so `config check` and the start fail alike).
void check_directory(Config& config, std::vector<Error>& problems) {
  directory::LdapOptions& ldap = config.ldap;
  if (ldap.urls.empty()) return;
  if (ldap.user_base.empty()) {
    problems.push_back(bad("AUTOMATION_LDAP_USER_BASE", "must be set with AUTOMATION_LDAP_URLS"));
  }
  if (config.core.directory.group_roles.empty()) {
    problems.push_back(bad("AUTOMATION_LDAP_GROUP_ROLE_MAP",
                           "must map at least one group with AUTOMATION_LDAP_URLS (without it "
                           "every directory user is refused)"));
  }
  for (const std::string& url : ldap.urls) {
    // Passwords never cross the network in clear.
    if (to_lower_ascii(url).starts_with("ldap://") && !ldap.start_tls) {
      problems.push_back(
          bad("AUTOMATION_LDAP_URLS", url + " sends passwords in clear: use ldaps://, or set "
                                            "AUTOMATION_LDAP_START_TLS=true"));
      break;
    }
  }
  if (ldap.bind_dn.empty() != ldap.bind_password_file.empty()) {
    problems.push_back(
        bad(ldap.bind_dn.empty() ? "AUTOMATION_LDAP_BIND_DN" : "AUTOMATION_LDAP_BIND_PASSWORD_FILE",
            "AUTOMATION_LDAP_BIND_DN and AUTOMATION_LDAP_BIND_PASSWORD_FILE go "
            "together (neither: anonymous search)"));
  } else if (!ldap.bind_password_file.empty()) {
    auto password = read_secret_file("AUTOMATION_LDAP_BIND_PASSWORD_FILE", ldap.bind_password_file);
    if (!password) {
      problems.push_back(password.error());
    } else if (password->empty()) {
      // An empty password would make the service bind anonymous (RFC 4513 5.1.2).
      problems.push_back(bad("AUTOMATION_LDAP_BIND_PASSWORD_FILE", "the file is empty"));
    } else {
      ldap.bind_password = std::move(*password);
    }
  }
}

// The checks that involve several keys, or a file a key names.
void check_across_keys(const std::map<std::string, SourcedValue>& merged, Config& config,
                       std::vector<Error>& problems) {
  check_directory(config, problems);
  // The provider's keys come from two files or from the database, never half and half.
  const OidcConfig& oidc = config.oidc;
  if (oidc.rsa_key_file.empty() != oidc.ec_key_file.empty()) {
    const bool rsa_missing = oidc.rsa_key_file.empty();
    problems.push_back(
        bad(rsa_missing ? "AUTOMATION_OIDC_RSA_KEY_FILE" : "AUTOMATION_OIDC_EC_KEY_FILE",
            std::string("must be set together with ") +
                (rsa_missing ? "AUTOMATION_OIDC_EC_KEY_FILE" : "AUTOMATION_OIDC_RSA_KEY_FILE") +
                " (both key files, or neither for keys kept in the database)"));
  }
  if (config.oidc.issuer.empty()) config.oidc.issuer = derived_oidc_issuer(config.server);
  // One TLS file without the other would serve plain HTTP where the operator asked for HTTPS.
  const ServerConfig& server = config.server;
  if (server.tls_cert_file.empty() != server.tls_key_file.empty()) {
    const bool cert_missing = server.tls_cert_file.empty();
    problems.push_back(
        bad(cert_missing ? "AUTOMATION_TLS_CERT_FILE" : "AUTOMATION_TLS_KEY_FILE",
            std::string("must be set together with ") +
                (cert_missing ? "AUTOMATION_TLS_KEY_FILE" : "AUTOMATION_TLS_CERT_FILE") +
                " (both for HTTPS, neither for plain HTTP)"));
  }
  // A meaning that needs a comment or a verifier must be one a signature may carry.
  const SignatureSettings& signatures = config.core.signatures;
  for (const auto& [key, listed] :
       {std::pair<const char*, const std::vector<std::string>*>{
            "AUTOMATION_SIGNATURE_COMMENT_REQUIRED", &signatures.comment_required},
        {"AUTOMATION_SIGNATURE_VERIFICATION_REQUIRED", &signatures.verification_required}}) {
    for (const std::string& meaning : *listed) {
      if (signatures.find(meaning) == nullptr) {
        problems.push_back(bad(key, meaning + " is not a meaning of AUTOMATION_SIGNATURE_MEANINGS"));
        break;
      }
    }
  }
  const bool notice_text = merged.contains("AUTOMATION_LOGIN_NOTICE");
  if (notice_text && !config.notice_file.empty()) {
    problems.push_back(
        bad("AUTOMATION_LOGIN_NOTICE_FILE", "set either it or AUTOMATION_LOGIN_NOTICE, not both"));
    return;
  }
  if (!config.notice_file.empty()) {
    std::ifstream in(config.notice_file, std::ios::binary);
    if (!in) {
      problems.push_back(
          bad("AUTOMATION_LOGIN_NOTICE_FILE", "cannot read '" + config.notice_file + "'"));
      return;
    }
    std::string notice((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    constexpr std::size_t kMaxNotice = 16 * 1024;
    if (notice.size() > kMaxNotice) {
      problems.push_back(bad("AUTOMATION_LOGIN_NOTICE_FILE", "must be at most 16 KiB"));
      return;
    }
    config.core.system_use_notice = std::move(notice);
  }
  if (!is_valid_utf8(config.core.system_use_notice)) {
    problems.push_back(
        bad(config.notice_file.empty() ? "AUTOMATION_LOGIN_NOTICE" : "AUTOMATION_LOGIN_NOTICE_FILE",
            "must be UTF-8 text"));
  }
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
    std::string content(trim(line, kSettingBlanks));
    if (content.empty() || content.front() == '#') continue;
    if (content.starts_with("export "))
      content = std::string(trim(std::string_view(content).substr(7), kSettingBlanks));
    const auto eq = content.find('=');
    if (eq == std::string::npos || eq == 0) {
      return fail(ErrorCode::kInvalidArgument,
                  path.string() + ":" + std::to_string(number) + ": expected KEY=VALUE");
    }
    std::string key(trim(std::string_view(content).substr(0, eq), kSettingBlanks));
    std::string value(trim(std::string_view(content).substr(eq + 1), kSettingBlanks));
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

std::string_view to_string(Origin origin) noexcept {
  switch (origin) {
    case Origin::kDefault:
      return "default";
    case Origin::kSettingsFile:
      return "settings file";
    case Origin::kEnvironment:
      return "environment";
    case Origin::kFlag:
      return "flag";
  }
  return "default";
}

Inspection inspect(const Sources& sources) {
  const auto merged = merge(sources);
  Inspection inspection;
  for (const Setting& setting : setting_table()) {
    const auto found = merged.find(setting.key);
    if (found == merged.end()) {
      inspection.settings.push_back({&setting, setting.default_text(), Origin::kDefault});
      continue;
    }
    inspection.settings.push_back({&setting, found->second.value, found->second.origin});
    if (auto parsed = setting.syntax.parse(found->second.value, inspection.config); !parsed) {
      inspection.problems.push_back(bad(setting.key, parsed.error().message));
    }
  }
  check_across_keys(merged, inspection.config, inspection.problems);
  for (const auto& [key, value] : merged) {
    if (!key.starts_with(kPrefix) || key.starts_with(kTestSettingPrefix) || find_setting(key)) {
      continue;
    }
    UnknownSetting unknown{key, nearest_key(key), value.origin};
    inspection.unknown.push_back(std::move(unknown));
  }
  return inspection;
}

Result<Config> load(const Sources& sources) {
  Inspection inspection = inspect(sources);
  // The first bad key, in the table's order, is the one line a failed start prints.
  if (!inspection.problems.empty()) return fail(std::move(inspection.problems.front()));
  return std::move(inspection.config);
}

}  // namespace automation::config
