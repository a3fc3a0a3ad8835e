#include "automation/config/loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace automation::config {
namespace {

Result<Config> load_flags(Settings flags) { return load(Sources{{}, {}, std::move(flags)}); }

TEST(ConfigLoader, DefaultsMatchSpec) {
  auto config = load(Sources{});
  ASSERT_TRUE(config);
  EXPECT_EQ(config->server.port, 8050);
  EXPECT_EQ(config->server.host, "127.0.0.1");
  EXPECT_EQ(config->server.timezone, "America/Caracas");
  EXPECT_EQ(config->database.type, "sqlite");
  EXPECT_EQ(config->database.file, "app.db");
  EXPECT_EQ(config->core.session_ttl_seconds, 86400);
  EXPECT_EQ(config->core.login_max_failures, 5);
  EXPECT_EQ(config->core.login_window_seconds, 900);
  EXPECT_TRUE(config->core.allow_signup);
  EXPECT_FALSE(config->secrets.app_secret_key);
}

TEST(ConfigLoader, ConnectionLimitAndTimeoutDefaultsSuitAPollingHmi) {
  auto config = load(Sources{});
  ASSERT_TRUE(config);
  EXPECT_EQ(config->server.max_connections, 0u);  // derived from the descriptor limit
  // A half-sent request is closed within 30 s; an HMI polling every few seconds keeps its
  // keep-alive connection.
  EXPECT_GE(config->server.read_timeout_seconds, 10u);
  EXPECT_LE(config->server.read_timeout_seconds, 30u);
  EXPECT_GE(config->server.write_timeout_seconds, 5u);
}

TEST(ConfigLoader, ReadsConnectionLimitAndTimeouts) {
  auto config = load_flags({{"AUTOMATION_MAX_CONNECTIONS", "4"},
                            {"AUTOMATION_READ_TIMEOUT", "2"},
                            {"AUTOMATION_WRITE_TIMEOUT", "7"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server.max_connections, 4u);
  EXPECT_EQ(config->server.read_timeout_seconds, 2u);
  EXPECT_EQ(config->server.write_timeout_seconds, 7u);
}

TEST(ConfigLoader, TlsFilesComeTogether) {
  auto both = load_flags({{"AUTOMATION_TLS_CERT_FILE", "/etc/automation/cert.pem"},
                          {"AUTOMATION_TLS_KEY_FILE", "/etc/automation/key.pem"}});
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_EQ(both->server.tls_cert_file, "/etc/automation/cert.pem");
  EXPECT_EQ(both->server.tls_key_file, "/etc/automation/key.pem");
  auto neither = load_flags({});
  ASSERT_TRUE(neither);
  EXPECT_TRUE(neither->server.tls_cert_file.empty());

  auto cert_only = load_flags({{"AUTOMATION_TLS_CERT_FILE", "/etc/automation/cert.pem"}});
  ASSERT_FALSE(cert_only);
  EXPECT_EQ(cert_only.error().message.rfind("AUTOMATION_TLS_KEY_FILE: must be set together", 0),
            0u)
      << cert_only.error().message;
  auto key_only = load_flags({{"AUTOMATION_TLS_KEY_FILE", "/etc/automation/key.pem"}});
  ASSERT_FALSE(key_only);
  EXPECT_EQ(key_only.error().message.rfind("AUTOMATION_TLS_CERT_FILE: must be set together", 0),
            0u)
      << key_only.error().message;
}

TEST(ConfigLoader, FlagsOverrideEnvironmentOverrideDotenv) {
  Sources sources{{{"AUTOMATION_PORT", "1000"}, {"AUTOMATION_HOST", "0.0.0.0"}},
                  {{"AUTOMATION_PORT", "2000"}},
                  {{"AUTOMATION_PORT", "3000"}}};
  auto config = load(sources);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->server.port, 3000);
  EXPECT_EQ(config->server.host, "0.0.0.0");
  sources.flags.clear();
  EXPECT_EQ(load(sources)->server.port, 2000);
}

TEST(ConfigLoader, BadValuesNameTheKey) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"AUTOMATION_PORT", "0"},          {"AUTOMATION_PORT", "70000"},
      {"AUTOMATION_PORT", "80x"},        {"AUTOMATION_DB_TYPE", "oracle"},
      {"AUTOMATION_APP_SECRET_KEY", "short"}, {"AUTOMATION_SESSION_TTL", "-1"},
      {"AUTOMATION_ALLOW_SIGNUP", "maybe"},   {"AUTOMATION_LOGIN_WINDOW", "0"},
      {"AUTOMATION_LOGIN_ACCOUNT_MAX_FAILURES", "-3"}, {"AUTOMATION_DB_SSLMODE", "on"},
      {"AUTOMATION_TRUSTED_PROXIES", "10.0.0.1, proxy.local"},
      {"AUTOMATION_MAX_CONNECTIONS", "-1"},   {"AUTOMATION_MAX_CONNECTIONS", "many"},
      {"AUTOMATION_READ_TIMEOUT", "0"},       {"AUTOMATION_READ_TIMEOUT", "1.5"},
      {"AUTOMATION_WRITE_TIMEOUT", "0"},      {"AUTOMATION_WRITE_TIMEOUT", "99999"}};
  for (const auto& [key, value] : bad) {
    auto config = load_flags({{key, value}});
    ASSERT_FALSE(config) << key << "=" << value;
    EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(config.error().message.rfind(key + ":", 0), 0u) << config.error().message;
  }
}

TEST(ConfigLoader, FrontDoorDefaultsAreUpstreamsCorsAndAHostOnlyCookie) {
  auto config = load(Sources{});
  ASSERT_TRUE(config);
  EXPECT_EQ(config->front_door.cors_mode, FrontDoorConfig::CorsMode::kAnyOrigin);
  EXPECT_EQ(config->front_door.forward_token_ttl_seconds, 60u);
  EXPECT_FALSE(config->front_door.cookie_secure);
  EXPECT_TRUE(config->front_door.cookie_domain.empty());
  EXPECT_TRUE(config->front_door.login_redirect_hosts.empty());
}

TEST(ConfigLoader, ReadsAndNormalizesFrontDoorSettings) {
  auto config = load_flags({{"AUTOMATION_CORS_ORIGINS", " HTTPS://Hmi.Plant:443/ , http://127.0.0.1:3000"},
                            {"AUTOMATION_FORWARD_TOKEN_TTL", "30"},
                            {"AUTOMATION_COOKIE_SECURE", "true"},
                            {"AUTOMATION_COOKIE_DOMAIN", ".Plant.Example"},
                            {"AUTOMATION_LOGIN_REDIRECT_HOSTS", "Grafana.Plant, hmi.plant:3000"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->front_door.cors_mode, FrontDoorConfig::CorsMode::kListed);
  EXPECT_EQ(config->front_door.cors_origins,
            (std::vector<std::string>{"https://hmi.plant", "http://127.0.0.1:3000"}));
  EXPECT_EQ(config->front_door.forward_token_ttl_seconds, 30u);
  EXPECT_TRUE(config->front_door.cookie_secure);
  EXPECT_EQ(config->front_door.cookie_domain, "plant.example");
  EXPECT_EQ(config->front_door.login_redirect_hosts,
            (std::vector<std::string>{"grafana.plant", "hmi.plant:3000"}));
  auto off = load_flags({{"AUTOMATION_CORS_ORIGINS", "off"}});
  ASSERT_TRUE(off);
  EXPECT_EQ(off->front_door.cors_mode, FrontDoorConfig::CorsMode::kOff);
}

TEST(ConfigLoader, RefusesBadFrontDoorSettingsNamingTheKey) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"AUTOMATION_CORS_ORIGINS", ""},
      {"AUTOMATION_CORS_ORIGINS", "hmi.plant"},
      {"AUTOMATION_CORS_ORIGINS", "https://hmi.plant/app"},
      {"AUTOMATION_CORS_ORIGINS", "*, https://hmi.plant"},
      {"AUTOMATION_CORS_ORIGINS", "null"},
      {"AUTOMATION_FORWARD_TOKEN_TTL", "0"},
      {"AUTOMATION_FORWARD_TOKEN_TTL", "3601"},
      {"AUTOMATION_COOKIE_SECURE", "sometimes"},
      {"AUTOMATION_COOKIE_DOMAIN", "https://plant"},
      {"AUTOMATION_COOKIE_DOMAIN", "plant:443"},
      {"AUTOMATION_LOGIN_REDIRECT_HOSTS", "https://grafana.plant"},
      {"AUTOMATION_LOGIN_REDIRECT_HOSTS", "grafana.plant/x"},
      {"AUTOMATION_LOGIN_REDIRECT_HOSTS", "own@evil"}};
  for (const auto& [key, value] : bad) {
    auto config = load_flags({{key, value}});
    ASSERT_FALSE(config) << key << "=" << value;
    EXPECT_EQ(config.error().message.rfind(key + ":", 0), 0u) << config.error().message;
  }
}

TEST(ConfigLoader, TrustedProxiesAreCanonicalAddresses) {
  auto config = load_flags({{"AUTOMATION_TRUSTED_PROXIES", " 10.0.0.1 ,::0:1,, 2001:DB8::7"},
                            {"AUTOMATION_LOGIN_ACCOUNT_MAX_FAILURES", "40"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server.trusted_proxies,
            (std::vector<std::string>{"10.0.0.1", "::1", "2001:db8::7"}));
  EXPECT_EQ(config->core.account_max_failures, 40);
  auto defaults = load_flags({});
  ASSERT_TRUE(defaults);
  EXPECT_TRUE(defaults->server.trusted_proxies.empty());  // X-Forwarded-For ignored by default
}

TEST(ConfigLoader, ParsesDotenv) {
  const auto path = std::filesystem::temp_directory_path() / "automation_loader_test.env";
  {
    std::ofstream out(path);
    out << "# comment\n\nexport AUTOMATION_PORT=9000\nAUTOMATION_TIMEZONE=\"Europe/Madrid\"\n"
           "AUTOMATION_ALLOW_SIGNUP = false\n";
  }
  auto settings = parse_dotenv(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(settings);
  auto config = load(Sources{*settings, {}, {}});
  ASSERT_TRUE(config);
  EXPECT_EQ(config->server.port, 9000);
  EXPECT_EQ(config->server.timezone, "Europe/Madrid");
  EXPECT_FALSE(config->core.allow_signup);
  EXPECT_TRUE(parse_dotenv("/nonexistent/.env")->empty());
}

TEST(ConfigLoader, MalformedDotenvLineIsAnError) {
  const auto path = std::filesystem::temp_directory_path() / "automation_loader_bad.env";
  { std::ofstream(path) << "AUTOMATION_PORT\n"; }
  auto settings = parse_dotenv(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find(":1:"), std::string::npos);
}

// Only a .env file can carry a NUL byte (environment variables and arguments cannot), and C
// APIs would read the value cut at it: "127.0.0.1<NUL>junk" was taken as 127.0.0.1.
TEST(ConfigLoader, NulByteInDotenvIsAnError) {
  using namespace std::string_literals;
  const auto path = std::filesystem::temp_directory_path() / "automation_loader_nul.env";
  {
    std::ofstream out(path, std::ios::binary);
    out << "AUTOMATION_PORT=9000\n" << "AUTOMATION_TRUSTED_PROXIES=127.0.0.1\0junk\n"s;
  }
  auto settings = parse_dotenv(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find(":2:"), std::string::npos) << settings.error().message;
}

TEST(ConfigLoader, TrustedProxyWithNulByteIsNotAnAddress) {
  using namespace std::string_literals;
  EXPECT_FALSE(load_flags({{"AUTOMATION_TRUSTED_PROXIES", "127.0.0.1\0junk"s}}));
  EXPECT_FALSE(load_flags({{"AUTOMATION_TRUSTED_PROXIES", "::1\0"s}}));
}

TEST(ConfigLoader, LoggingDefaultsToTextAtInfoWithAccessLines) {
  auto config = load(Sources{});
  ASSERT_TRUE(config);
  EXPECT_EQ(config->logging.format, LoggingConfig::Format::kText);
  EXPECT_EQ(config->logging.level, "info");
  EXPECT_TRUE(config->logging.access_log);
  EXPECT_EQ(config->metrics.mode, MetricsConfig::Mode::kSameListener);
}

TEST(ConfigLoader, ReadsLoggingSettings) {
  auto config = load_flags({{"AUTOMATION_LOG_FORMAT", "json"},
                            {"AUTOMATION_LOG_LEVEL", "debug"},
                            {"AUTOMATION_ACCESS_LOG", "off"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->logging.format, LoggingConfig::Format::kJson);
  EXPECT_EQ(config->logging.level, "debug");
  EXPECT_FALSE(config->logging.access_log);
}

TEST(ConfigLoader, RefusesBadLoggingSettingsNamingTheKey) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"AUTOMATION_LOG_FORMAT", "xml"},
           {"AUTOMATION_LOG_LEVEL", "verbose"},
           {"AUTOMATION_ACCESS_LOG", "maybe"}}) {
    auto config = load_flags({{key, value}});
    ASSERT_FALSE(config) << key;
    EXPECT_EQ(config.error().message.rfind(key + ": ", 0), 0u) << config.error().message;
  }
}

TEST(ConfigLoader, MetricsAreOnOffOrTheirOwnAddress) {
  auto off = load_flags({{"AUTOMATION_METRICS", "off"}});
  ASSERT_TRUE(off);
  EXPECT_EQ(off->metrics.mode, MetricsConfig::Mode::kOff);
  auto own = load_flags({{"AUTOMATION_METRICS", "127.0.0.1:9464"}});
  ASSERT_TRUE(own);
  EXPECT_EQ(own->metrics.mode, MetricsConfig::Mode::kOwnListener);
  EXPECT_EQ(own->metrics.listen, "127.0.0.1:9464");
  auto v6 = load_flags({{"AUTOMATION_METRICS", "[::1]:9464"}});
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->metrics.mode, MetricsConfig::Mode::kOwnListener);
  for (const char* bad : {"yes", "9464", ":9464", "localhost:9464", "127.0.0.1:0",
                          "127.0.0.1:70000", "127.0.0.1:94x"}) {
    auto config = load_flags({{"AUTOMATION_METRICS", bad}});
    ASSERT_FALSE(config) << bad;
    EXPECT_EQ(config.error().message.rfind("AUTOMATION_METRICS: ", 0), 0u);
  }
}

}  // namespace
}  // namespace automation::config

namespace automation::config {
namespace {

// packaging/automation.env, the settings file the package installs, with every commented
// setting that shows a value switched on: it must load, and the values it shows must be the
// defaults (so the file tells the truth about what leaving a line commented means).
TEST(ConfigLoader, PackagedEnvironmentFileShowsTheDefaults) {
  std::ifstream packaged(AUTOMATION_PACKAGED_ENV_FILE);
  ASSERT_TRUE(packaged) << AUTOMATION_PACKAGED_ENV_FILE;
  const auto path = std::filesystem::temp_directory_path() /
                    ("packaged-env-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::ofstream switched_on(path);
  int shown = 0;
  for (std::string line; std::getline(packaged, line);) {
    const bool commented_setting = line.rfind("#AUTOMATION_", 0) == 0;
    if (commented_setting && line.back() != '=') {
      line.erase(0, 1);
      ++shown;
    }
    switched_on << line << '\n';
  }
  switched_on.close();
  EXPECT_GE(shown, 18);  // the settings with a default to show

  auto settings = parse_dotenv(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(settings) << settings.error().message;
  auto with_file = load(Sources{*settings, {}, {}});
  ASSERT_TRUE(with_file) << with_file.error().message;
  Settings defaults_but_file{{"AUTOMATION_DB_FILE", "/var/lib/automation/app.db"}};
  auto expected = load(Sources{{}, {}, defaults_but_file});
  ASSERT_TRUE(expected);
  EXPECT_EQ(with_file->database.file, "/var/lib/automation/app.db");
  EXPECT_EQ(with_file->server.port, expected->server.port);
  EXPECT_EQ(with_file->server.host, expected->server.host);
  EXPECT_EQ(with_file->server.timezone, expected->server.timezone);
  EXPECT_EQ(with_file->server.threads, expected->server.threads);
  EXPECT_EQ(with_file->server.read_timeout_seconds, expected->server.read_timeout_seconds);
  EXPECT_EQ(with_file->server.write_timeout_seconds, expected->server.write_timeout_seconds);
  EXPECT_EQ(with_file->database.type, expected->database.type);
  EXPECT_EQ(with_file->database.port, expected->database.port);
  EXPECT_EQ(with_file->core.session_ttl_seconds, expected->core.session_ttl_seconds);
  EXPECT_EQ(with_file->core.login_max_failures, expected->core.login_max_failures);
  EXPECT_EQ(with_file->core.login_window_seconds, expected->core.login_window_seconds);
  EXPECT_EQ(with_file->core.allow_signup, expected->core.allow_signup);
  EXPECT_EQ(with_file->core.password_min_length, expected->core.password_min_length);
}

// Electronic signatures (docs/signatures.md).
TEST(ConfigLoader, SignatureMeaningsDefaultAndParse) {
  auto defaults = load(Sources{});
  ASSERT_TRUE(defaults);
  const SignatureSettings& d = defaults->core.signatures;
  ASSERT_EQ(d.meanings.size(), 4u);
  EXPECT_EQ(d.meanings[0].name, "performed");
  EXPECT_EQ(d.meanings[0].max_level, 10);
  EXPECT_EQ(d.find("approved")->max_level, 2);
  EXPECT_TRUE(d.comment_required.empty());
  EXPECT_TRUE(d.verification_required.empty());
  EXPECT_EQ(defaults->signing.key_file, "");

  auto config = load_flags({{"AUTOMATION_SIGNATURE_MEANINGS", " released : 1 , checked:5,"},
                            {"AUTOMATION_SIGNATURE_COMMENT_REQUIRED", "released"},
                            {"AUTOMATION_SIGNATURE_VERIFICATION_REQUIRED", "released, checked"},
                            {"AUTOMATION_SIGNING_KEY_FILE", "/etc/automation/signing.pem"}});
  ASSERT_TRUE(config) << config.error().message;
  const SignatureSettings& s = config->core.signatures;
  ASSERT_EQ(s.meanings.size(), 2u);
  EXPECT_EQ(s.meanings[0].name, "released");
  EXPECT_EQ(s.meanings[0].max_level, 1);
  EXPECT_TRUE(s.needs_comment("released"));
  EXPECT_FALSE(s.needs_comment("checked"));
  EXPECT_TRUE(s.needs_verification("checked"));
  EXPECT_EQ(config->signing.key_file, "/etc/automation/signing.pem");

  auto off = load_flags({{"AUTOMATION_SIGNATURE_MEANINGS", ""}});
  ASSERT_TRUE(off);
  EXPECT_TRUE(off->core.signatures.meanings.empty()) << "empty: signing off";
}

TEST(ConfigLoader, BadSignatureSettingsNameTheKey) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"AUTOMATION_SIGNATURE_MEANINGS", "approved"},
      {"AUTOMATION_SIGNATURE_MEANINGS", "approved:x"},
      {"AUTOMATION_SIGNATURE_MEANINGS", "approved:-1"},
      {"AUTOMATION_SIGNATURE_MEANINGS", "Approved:2"},
      {"AUTOMATION_SIGNATURE_MEANINGS", "approved:2,approved:3"},
      {"AUTOMATION_SIGNATURE_COMMENT_REQUIRED", "not a meaning"},
      // Valid words, but not meanings a signature may carry.
      {"AUTOMATION_SIGNATURE_COMMENT_REQUIRED", "blessed"},
      {"AUTOMATION_SIGNATURE_VERIFICATION_REQUIRED", "performed,blessed"}};
  for (const auto& [key, value] : bad) {
    auto config = load_flags({{key, value}});
    ASSERT_FALSE(config) << key << "=" << value;
    EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(config.error().message.rfind(key + ":", 0), 0u) << config.error().message;
  }
}

}  // namespace
}  // namespace automation::config
