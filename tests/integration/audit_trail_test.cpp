// The tamper-evident audit trail on the real binary (docs/security-controls.md): the
// export carries the chain so an auditor can check every row with the key; `automation
// audit verify` finds an edited, a deleted and an inserted row in the database itself;
// retention prunes, audits itself and warns near capacity; a key file anyone can read is
// refused.

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

const std::string kAuditKey = "integration-audit-key-0123456789abcdef0123456789";

std::filesystem::path write_key_file(const std::filesystem::path& dir, mode_t mode) {
  const auto path = dir / "audit.key";
  std::ofstream(path) << kAuditKey << "\n";
  ::chmod(path.c_str(), mode);
  return path;
}

// The MAC rule as docs/security-controls.md documents it, computed independently of the service's code.
std::string expected_mac(const json& line) {
  std::string message = "automation-audit-v1\n";
  auto field = [&message](const std::string& value) {
    message += std::to_string(value.size()) + ":" + value + "\n";
  };
  field(line.at("previous_mac").get<std::string>());
  field(std::to_string(line.at("seq").get<long long>()));
  field(std::to_string(line.at("timestamp").get<long long>()));
  for (const char* name : {"event", "actor", "target", "address", "outcome", "reason"}) {
    field(line.at(name).get<std::string>());
  }
  unsigned char mac[32];
  unsigned int length = 0;
  HMAC(EVP_sha256(), kAuditKey.data(), static_cast<int>(kAuditKey.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &length);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < length; ++i) {
    hex += kHex[mac[i] >> 4];
    hex += kHex[mac[i] & 15];
  }
  return hex;
}

std::vector<json> json_lines(const std::string& body) {
  std::vector<json> lines;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

class AuditTrail : public ::testing::Test {
 protected:
  void SetUp() override {
    key_dir_ = std::filesystem::temp_directory_path() /
               ("automation-audit-key-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(key_dir_);
  }
  void TearDown() override { std::filesystem::remove_all(key_dir_); }

  std::string system_login(HttpClient& http) {
    const auto login =
        http.post("/api/users/login", json{{"username", "system"}, {"password", kSystemPassword}});
    EXPECT_EQ(login.status, 200) << login.body;
    const std::string key = login.json().value("apiKey", "");
    remember_secret(key);
    return key;
  }

  std::filesystem::path key_dir_;
};

TEST_F(AuditTrail, ExportCarriesAChainAnAuditorCanCheckRowByRow) {
  ServerProcess server({{"AUTOMATION_AUDIT_KEY_FILE", write_key_file(key_dir_, 0600)}});
  server.start();
  HttpClient http(server.base_url());
  const std::string key = system_login(http);
  ASSERT_EQ(http.post("/api/users/signup",
                      json{{"username", "auditor1"}, {"email", "auditor1@plant.local"},
                           {"password", kUserPassword}, {"role_name", "auditor"}},
                      api_key(key))
                .status,
            200);

  const auto exported = http.get("/api/users/audit/export", api_key(key));
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_EQ(exported.header("content-type"), "application/x-ndjson");
  const auto lines = json_lines(exported.body);
  ASSERT_GE(lines.size(), 3u);  // system password set, login, signup
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].at("seq"), static_cast<long long>(i + 1));
    EXPECT_EQ(lines[i].at("mac"), expected_mac(lines[i])) << lines[i];
    if (i > 0) {
      EXPECT_EQ(lines[i].at("previous_mac"), lines[i - 1].at("mac"));
    }
  }
  EXPECT_EQ(lines.front().at("previous_mac"), "");

  // Paging: after_seq continues exactly where a previous export stopped.
  const auto tail = http.get("/api/users/audit/export?after_seq=2&limit=1", api_key(key));
  ASSERT_EQ(tail.status, 200) << tail.body;
  const auto tail_lines = json_lines(tail.body);
  ASSERT_EQ(tail_lines.size(), 1u);
  EXPECT_EQ(tail_lines[0].at("seq"), 3);
  EXPECT_EQ(tail_lines[0].at("previous_mac"), lines[1].at("mac"));

  const auto csv = http.get("/api/users/audit/export?format=csv", api_key(key));
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.rfind("\"id\",\"seq\",\"time\"", 0), 0u) << csv.body;
  // The header, every exported line, and the audit events of the two exports before it.
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'),
            static_cast<long>(lines.size()) + 3);

  EXPECT_EQ(http.get("/api/users/audit/export?format=xml", api_key(key)).status, 400);
  EXPECT_EQ(http.get("/api/users/audit/export?limit=0", api_key(key)).status, 400);
  EXPECT_EQ(http.get("/api/users/audit/export").status, 401);
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(AuditTrail, OnlyAuditRolesExportAndRefusalsAreAudited) {
  ServerProcess server;
  server.start();
  HttpClient http(server.base_url());
  const std::string key = system_login(http);
  for (const char* role : {"operator", "auditor"}) {
    const std::string name = std::string("x") + role;
    ASSERT_EQ(http.post("/api/users/signup",
                        json{{"username", name}, {"email", name + "@plant.local"},
                             {"password", kUserPassword}, {"role_name", role}},
                        api_key(key))
                  .status,
              200);
  }
  auto login_as = [&](const std::string& name) {
    const auto login =
        http.post("/api/users/login", json{{"username", name}, {"password", kUserPassword}});
    const std::string user_key = login.json().value("apiKey", "");
    remember_secret(user_key);
    return user_key;
  };
  EXPECT_EQ(http.get("/api/users/audit/export", api_key(login_as("xoperator"))).status, 403);
  const auto allowed = http.get("/api/users/audit/export", api_key(login_as("xauditor")));
  ASSERT_EQ(allowed.status, 200);
  const auto lines = json_lines(allowed.body);
  const bool denial_recorded = std::any_of(lines.begin(), lines.end(), [](const json& line) {
    return line.at("event") == "audit_export" && line.at("actor") == "xoperator" &&
           line.at("outcome") == "denied";
  });
  EXPECT_TRUE(denial_recorded) << allowed.body;
  EXPECT_EQ(server.stop(), 0);
}

TEST_F(AuditTrail, VerifyFindsEditsDeletionsAndInsertionsInTheDatabase) {
  ServerProcess server({{"AUTOMATION_AUDIT_KEY_FILE", write_key_file(key_dir_, 0400)}});
  server.start();
  HttpClient http(server.base_url());
  for (int i = 0; i < 3; ++i) (void)system_login(http);
  ASSERT_EQ(server.stop(), 0);

  std::string output;
  ASSERT_EQ(server.run_cli({"audit", "verify"}, &output), 0) << output;
  EXPECT_NE(output.find("audit chain intact"), std::string::npos) << output;

  // Changed: a failed login made to look like a success.
  run_sql(server, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 2");
  EXPECT_EQ(server.run_cli({"audit", "verify"}, &output), 1);
  EXPECT_NE(output.find("BROKEN (changed)"), std::string::npos) << output;
  EXPECT_NE(output.find("(seq 2)"), std::string::npos) << output;
  run_sql(server, "UPDATE audit_events SET actor = 'system' WHERE seq = 2");
  ASSERT_EQ(server.run_cli({"audit", "verify"}, &output), 0) << "the original row verifies again";

  // Removed: a row deleted from the middle.
  run_sql(server, "DELETE FROM audit_events WHERE seq = 3");
  EXPECT_EQ(server.run_cli({"audit", "verify"}, &output), 1);
  EXPECT_NE(output.find("BROKEN (removed)"), std::string::npos) << output;
  EXPECT_NE(output.find("events 3..3 are missing"), std::string::npos) << output;
  run_sql(server, "UPDATE audit_events SET seq = seq - 1 WHERE seq > 3");
  run_sql(server, "UPDATE audit_chain SET head_seq = head_seq - 1");
  EXPECT_EQ(server.run_cli({"audit", "verify"}, &output), 1) << "renumbering does not hide it";
  EXPECT_NE(output.find("BROKEN (changed)"), std::string::npos) << output;
  EXPECT_NE(output.find("(seq 3)"), std::string::npos) << output;

  // Inserted: a row the service never wrote (checked on a fresh chain).
  ServerProcess fresh({{"AUTOMATION_AUDIT_KEY_FILE", (key_dir_ / "audit.key").string()}});
  fresh.start();
  ASSERT_EQ(fresh.stop(), 0);
  run_sql(fresh,
          "INSERT INTO audit_events (time, event, actor, target, address, outcome, reason)"
          " VALUES (1, 'login', 'mallory', 'mallory', '10.6.6.6', 'success', '')");
  EXPECT_EQ(fresh.run_cli({"audit", "verify"}, &output), 1);
  EXPECT_NE(output.find("BROKEN (inserted)"), std::string::npos) << output;
}

TEST_F(AuditTrail, AKeyFileOthersCanReadIsRefused) {
  ServerProcess server({{"AUTOMATION_AUDIT_KEY_FILE", write_key_file(key_dir_, 0644)}});
  EXPECT_EQ(server.run_expecting_exit(), 2);
  EXPECT_NE(server.log().find("AUTOMATION_AUDIT_KEY_FILE"), std::string::npos) << server.log();
  EXPECT_NE(server.log().find("chmod 600"), std::string::npos) << server.log();
  EXPECT_EQ(server.log().find(kAuditKey), std::string::npos) << "the key is never printed";
}

TEST_F(AuditTrail, RetentionPrunesOldestAuditsItselfAndWarnsNearCapacity) {
  ServerProcess server({{"AUTOMATION_AUDIT_MAX_EVENTS", "6"},
                        {"AUTOMATION_AUDIT_WARN_PERCENT", "50"}});
  server.start();
  HttpClient http(server.base_url());
  for (int i = 0; i < 8; ++i) (void)system_login(http);
  ASSERT_EQ(server.stop(), 0);
  server.start();  // retention runs at start (then hourly)
  HttpClient again(server.base_url());
  const std::string key = system_login(again);
  const auto exported = again.get("/api/users/audit/export", api_key(key));
  ASSERT_EQ(exported.status, 200);
  const auto lines = json_lines(exported.body);
  ASSERT_FALSE(lines.empty());
  EXPECT_GT(lines.front().at("seq").get<long long>(), 1) << "the oldest events went";
  const auto pruned = std::find_if(lines.begin(), lines.end(), [](const json& line) {
    return line.at("event") == "audit_pruned";
  });
  ASSERT_NE(pruned, lines.end()) << exported.body;
  EXPECT_NE(pruned->at("reason").get<std::string>().find("beyond 6 events (refusals first"),
            std::string::npos);
  EXPECT_NE(server.log().find("audit retention pruned"), std::string::npos) << server.log();
  EXPECT_NE(server.log().find("of its capacity"), std::string::npos) << server.log();
  // The same figure for a Prometheus alert: the store is full after pruning (at least 6 of 6).
  const auto metrics = again.get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  const std::string gauge = "\nautomation_audit_capacity_percent ";
  const auto at = metrics.body.find(gauge);
  ASSERT_NE(at, std::string::npos) << metrics.body;
  EXPECT_GE(std::stod(metrics.body.substr(at + gauge.size())), 100.0) << metrics.body;
  ASSERT_EQ(server.stop(), 0);
  std::string output;
  EXPECT_EQ(server.run_cli({"audit", "verify"}, &output), 0) << output;
}

}  // namespace
}  // namespace automation::testing
