// The native HTTPS listener (issue 8, point 8): a self-signed certificate made by the test
// (the `openssl` command), the real binary serving with it, and what the server agrees to:
// TLS 1.2 and 1.3 with forward-secret AEAD suites only, no plain HTTP on the TLS port, no
// handshake that hangs forever, and no start with a private key other users can read.

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>

#include "http_client.hpp"
#include "server_process.hpp"
#include "tls_probe.hpp"

namespace automation::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

// An RSA certificate for 127.0.0.1 and localhost, valid for two days, and its key (mode 0600)
// in a temporary directory removed by the destructor. RSA rather than ECDSA so the suites
// with RSA key exchange are possible at all, and the server's refusal of them means something.
class SelfSignedCertificate {
 public:
  SelfSignedCertificate() {
    std::string pattern = (std::filesystem::temp_directory_path() / "automation-tls-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost"
        " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout '" +
        key_file() + "' -out '" + cert_file() + "' 2>/dev/null";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl req failed");
    std::filesystem::permissions(
        key_file(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  ~SelfSignedCertificate() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  SelfSignedCertificate(const SelfSignedCertificate&) = delete;
  SelfSignedCertificate& operator=(const SelfSignedCertificate&) = delete;

  std::string cert_file() const { return (dir_ / "cert.pem").string(); }
  std::string key_file() const { return (dir_ / "key.pem").string(); }
  std::map<std::string, std::string> settings() const {
    return {{"AUTOMATION_TLS_CERT_FILE", cert_file()}, {"AUTOMATION_TLS_KEY_FILE", key_file()}};
  }

 private:
  std::filesystem::path dir_;
};

// A started HTTPS server with its certificate; `extra` adds settings.
struct HttpsServer {
  explicit HttpsServer(std::map<std::string, std::string> extra = {}) : server(with(extra)) {
    server.use_https(certificate.cert_file());
    server.start();
  }
  std::map<std::string, std::string> with(std::map<std::string, std::string> extra) const {
    for (auto& [key, value] : certificate.settings()) extra[key] = value;
    return extra;
  }
  SelfSignedCertificate certificate;
  ServerProcess server;
};

TEST(Tls, ServesTheApiOverHttps) {
  HttpsServer https;
  ServerProcess& server = https.server;
  EXPECT_EQ(server.base_url().rfind("https://", 0), 0u);
  EXPECT_NE(server.log().find("listening on https://127.0.0.1:"), std::string::npos)
      << server.log();

  // The client verifies the server against the test's certificate, as an HMI pointed at the
  // certificate (or its CA) does.
  HttpClient client(server.base_url(), server.client_tls());
  const auto login = client.post(
      "/api/users/login", nlohmann::json{{"username", "system"}, {"password", kSystemPassword}});
  ASSERT_EQ(login.status, 200) << login.error << login.body;
  const std::string key = login.json().at("apiKey").get<std::string>();
  const auto users = client.get("/api/users/", api_key(key));
  EXPECT_EQ(users.status, 200) << users.body;
  EXPECT_EQ(users.header("cache-control"), "no-store");

  // A client that does not trust the certificate gets no answer.
  HttpClient untrusting(server.base_url());
  const auto refused = untrusting.get("/api/health/ping");
  EXPECT_EQ(refused.status, 0);
  EXPECT_FALSE(refused.error.empty());
  EXPECT_EQ(server.stop(), 0) << server.log();
}

TEST(Tls, OnlyTls12And13AreAccepted) {
  HttpsServer https;
  const int port = https.server.port();
  const auto tls11 = probe_tls(port, TLS1_1_VERSION);
  EXPECT_FALSE(tls11.established) << "TLS 1.1 was accepted with " << tls11.cipher;
  const auto tls12 = probe_tls(port, TLS1_2_VERSION);
  EXPECT_TRUE(tls12.established) << tls12.error;
  EXPECT_EQ(tls12.protocol, "TLSv1.2");
  const auto tls13 = probe_tls(port, TLS1_3_VERSION);
  EXPECT_TRUE(tls13.established) << tls13.error;
  EXPECT_EQ(tls13.protocol, "TLSv1.3");
  EXPECT_EQ(https.server.stop(), 0);
}

TEST(Tls, Tls12NeedsForwardSecrecyAndAead) {
  HttpsServer https;
  const int port = https.server.port();
  // The control: the same client with a suite of the modern list gets through.
  const auto modern = probe_tls(port, TLS1_2_VERSION, "ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_TRUE(modern.established) << modern.error;
  for (const char* weak : {"AES128-GCM-SHA256",        // RSA key exchange: no forward secrecy
                           "AES256-SHA",               // neither
                           "ECDHE-RSA-AES128-SHA",     // CBC with HMAC, not AEAD
                           "ECDHE-RSA-AES256-SHA384",  // the same
                           "DHE-RSA-AES128-GCM-SHA256"}) {
    const auto probe = probe_tls(port, TLS1_2_VERSION, weak);
    EXPECT_FALSE(probe.established) << weak << " was accepted";
  }
  EXPECT_EQ(https.server.stop(), 0);
}

TEST(Tls, PlainHttpOnTheTlsPortGetsNoAnswer) {
  HttpsServer https;
  const std::string reply = raw_exchange(
      https.server.port(),
      "GET /api/health/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", seconds(5));
  EXPECT_EQ(reply.find("HTTP/"), std::string::npos) << reply;
  EXPECT_EQ(reply.find("pong"), std::string::npos) << reply;
  // The server is unharmed.
  HttpClient client(https.server.base_url(), https.server.client_tls());
  EXPECT_EQ(client.get("/api/health/ping").status, 200);
  EXPECT_EQ(https.server.stop(), 0);
}

// RESTinio runs no timer during the handshake; without the server's deadline a client that
// connects and stays silent would hold its connection slot for ever.
TEST(Tls, SilentClientIsClosedAfterTheReadTimeout) {
  HttpsServer https(std::map<std::string, std::string>{{"AUTOMATION_READ_TIMEOUT", "1"}});
  const auto started = Clock::now();
  raw_exchange(https.server.port(), "", seconds(15));  // returns when the server closes
  const auto waited = Clock::now() - started;
  EXPECT_LT(waited, seconds(8)) << "a silent TLS client was still connected after 8 s";
  EXPECT_GE(waited, std::chrono::milliseconds(900)) << "closed before the read timeout";
  HttpClient client(https.server.base_url(), https.server.client_tls());
  EXPECT_EQ(client.get("/api/health/ping").status, 200);
  EXPECT_EQ(https.server.stop(), 0);
}

// Starts the server expecting exit code 2 before the database is touched; returns its log.
std::string expect_refused(const std::map<std::string, std::string>& settings) {
  ServerProcess server(settings);
  EXPECT_EQ(server.run_expecting_exit(), 2) << server.log();
  EXPECT_TRUE(server.database_untouched());
  return server.log();
}

TEST(Tls, KeyReadableByOtherUsersIsRefused) {
  SelfSignedCertificate certificate;
  ::chmod(certificate.key_file().c_str(), 0644);
  const std::string log = expect_refused(certificate.settings());
  EXPECT_NE(log.find("automation: configuration error: AUTOMATION_TLS_KEY_FILE: " +
                     certificate.key_file() + ": is readable by other users (mode 0644)"),
            std::string::npos)
      << log;
}

TEST(Tls, KeyReadableByItsGroupIsRefusedUnlessOwnedByRoot) {
  SelfSignedCertificate certificate;
  ::chmod(certificate.key_file().c_str(), 0640);
  // As root (CI), hand the key to another account: root may keep a group-readable key.
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(certificate.key_file().c_str(), 65534, static_cast<gid_t>(-1)), 0);
  }
  const std::string log = expect_refused(certificate.settings());
  EXPECT_NE(log.find("AUTOMATION_TLS_KEY_FILE: " + certificate.key_file() +
                     ": is readable by its group (mode 0640)"),
            std::string::npos)
      << log;
}

TEST(Tls, UnusableFilesAreRefusedNamingTheSetting) {
  SelfSignedCertificate certificate;
  auto missing_key = certificate.settings();
  missing_key["AUTOMATION_TLS_KEY_FILE"] = certificate.key_file() + ".missing";
  EXPECT_NE(expect_refused(missing_key)
                .find("AUTOMATION_TLS_KEY_FILE: " + certificate.key_file() +
                      ".missing: cannot be read: No such file or directory"),
            std::string::npos);

  auto key_as_cert = certificate.settings();
  key_as_cert["AUTOMATION_TLS_CERT_FILE"] = certificate.key_file();
  EXPECT_NE(expect_refused(key_as_cert).find("AUTOMATION_TLS_CERT_FILE: "), std::string::npos);

  SelfSignedCertificate other;
  auto foreign_key = certificate.settings();
  foreign_key["AUTOMATION_TLS_KEY_FILE"] = other.key_file();
  EXPECT_NE(expect_refused(foreign_key).find("does not belong to the certificate"),
            std::string::npos);

  const std::string cert_only =
      expect_refused({{"AUTOMATION_TLS_CERT_FILE", certificate.cert_file()}});
  EXPECT_NE(cert_only.find("AUTOMATION_TLS_KEY_FILE: must be set together with "
                           "AUTOMATION_TLS_CERT_FILE"),
            std::string::npos)
      << cert_only;
}

}  // namespace
}  // namespace automation::testing
