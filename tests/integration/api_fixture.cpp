#include "api_fixture.hpp"

#include <openssl/sha.h>
#include <sqlite3.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace automation::testing {
namespace {

std::unique_ptr<ServerProcess>& shared_server() {
  static std::unique_ptr<ServerProcess> instance;
  return instance;
}

std::string& shared_system_key() {
  static std::string key;
  return key;
}

std::set<std::string>& secrets() {
  static std::set<std::string> values = {kSystemPassword, kUserPassword};
  return values;
}

// Stops the shared server once every test of the process ran.
class SharedServerEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    auto& server = shared_server();
    if (!server) return;
    EXPECT_EQ(server->stop(), 0) << "the server must exit 0 on SIGTERM; log:\n" << server->log();
    expect_no_secrets(server->log(), "server log");
    server.reset();
  }
};

[[maybe_unused]] ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new SharedServerEnvironment);

}  // namespace

bool is_login_datetime(const std::string& text) {
  // Hand-written rather than std::regex (GCC 12 warns inside <regex> in sanitizer builds).
  constexpr std::string_view kShape = "dd/dd/dddd, dd:dd:dd";
  if (text.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (kShape[i] == 'd' ? !digit : text[i] != kShape[i]) return false;
  }
  return true;
}

void remember_secret(const std::string& secret) {
  if (!secret.empty()) secrets().insert(secret);
}

const std::set<std::string>& remembered_secrets() { return secrets(); }

void expect_no_secrets(const std::string& text, const std::string& what) {
  for (const char* marker : {"$argon2", "pbkdf2:", "scrypt:"}) {
    EXPECT_EQ(text.find(marker), std::string::npos) << what << " shows a password hash";
  }
  for (const auto& secret : secrets()) {
    EXPECT_EQ(text.find(secret), std::string::npos) << what << " shows a secret";
  }
}

ServerProcess& ApiTest::server() {
  auto& server = shared_server();
  if (!server) {
    // JSON lines at debug level with access lines: the secret check at the end covers the
    // most verbose output (lifecycle tests cover the text format).
    server = std::make_unique<ServerProcess>(std::map<std::string, std::string>{
        {"AUTOMATION_LOG_FORMAT", "json"}, {"AUTOMATION_LOG_LEVEL", "debug"}});
    server->start();
  }
  return *server;
}

const std::string& ApiTest::system_key() {
  auto& key = shared_system_key();
  if (key.empty()) {
    HttpClient client(server().base_url());
    const auto response = client.post(
        "/api/users/login", nlohmann::json{{"username", "system"}, {"password", kSystemPassword}});
    if (response.status != 200) {
      throw std::runtime_error("system login failed: " + std::to_string(response.status) + " " +
                               response.body);
    }
    key = response.json().at("apiKey").get<std::string>();
    remember_secret(key);
  }
  return key;
}

HttpClient& ApiTest::http() {
  if (!http_) http_ = std::make_unique<HttpClient>(server().base_url());
  return *http_;
}

std::string ApiTest::unique_name(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + "_" + std::to_string(++counter);
}

nlohmann::json ApiTest::create_user(const std::string& username, const std::string& role,
                                    const std::string& password) {
  remember_secret(password);
  const auto response = http().post("/api/users/signup",
                                    nlohmann::json{{"username", username},
                                                   {"email", username + "@plant.example"},
                                                   {"password", password},
                                                   {"role_name", role}},
                                    api_key(system_key()));
  EXPECT_EQ(response.status, 200) << response.body;
  return response.status == 200 ? response.json() : nlohmann::json();
}

std::string ApiTest::login(const std::string& username, const std::string& password) {
  const auto response = http().post("/api/users/login",
                                    nlohmann::json{{"username", username}, {"password", password}});
  EXPECT_EQ(response.status, 200) << "login " << username << ": " << response.body;
  if (response.status != 200) return {};
  std::string key = response.json().at("apiKey").get<std::string>();
  remember_secret(key);
  return key;
}

long long ApiTest::visible_user_count() {
  const auto response = http().get("/api/users/?page=1&limit=1", api_key(system_key()));
  EXPECT_EQ(response.status, 200) << response.body;
  if (response.status != 200) return -1;
  return response.json().at("pagination").at("total_records").get<long long>();
}

void run_sql(const ServerProcess& server, const std::string& statement) {
  if (const ScratchDatabase* database = server.server_database()) {
    (void)database->query(statement);
    return;
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(server.db_file().c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message << " in " << statement;
}

std::string query_sql(const ServerProcess& server, const std::string& statement) {
  if (const ScratchDatabase* database = server.server_database()) return database->query(statement);
  sqlite3* db = nullptr;
  std::string value;
  if (sqlite3_open(server.db_file().c_str(), &db) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << server.db_file();
    sqlite3_close(db);
    return value;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* prepared = nullptr;
  if (sqlite3_prepare_v2(db, statement.c_str(), -1, &prepared, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sqlite3_errmsg(db) << " in " << statement;
  } else if (sqlite3_step(prepared) == SQLITE_ROW && sqlite3_column_text(prepared, 0) != nullptr) {
    value = reinterpret_cast<const char*>(sqlite3_column_text(prepared, 0));
  }
  sqlite3_finalize(prepared);
  sqlite3_close(db);
  return value;
}

std::string login_as_system(HttpClient& client) {
  const auto login = client.post(
      "/api/users/login", nlohmann::json{{"username", "system"}, {"password", kSystemPassword}});
  if (login.status != 200) throw std::runtime_error("system login failed: " + login.body);
  return login.json().at("apiKey").get<std::string>();
}

// EXPECT the JSON shape of a role and of a user as upstream renders them (what the HMI reads):
// exactly these keys, of these types; never a password or key.
void expect_role_shape(const nlohmann::json& role) {
  ASSERT_TRUE(role.is_object()) << role;
  EXPECT_EQ(role.size(), 3U) << role;
  EXPECT_TRUE(role.at("identifier").is_string()) << role;
  EXPECT_FALSE(role.at("identifier").get<std::string>().empty()) << role;
  EXPECT_TRUE(role.at("name").is_string()) << role;
  EXPECT_TRUE(role.at("level").is_number_integer()) << role;
}

void expect_user_shape(const nlohmann::json& user) {
  ASSERT_TRUE(user.is_object()) << user;
  EXPECT_EQ(user.size(), 6U) << user;
  EXPECT_TRUE(user.at("identifier").is_string()) << user;
  EXPECT_TRUE(user.at("username").is_string()) << user;
  EXPECT_TRUE(user.at("email").is_string()) << user;
  EXPECT_TRUE(user.at("name").is_string() || user.at("name").is_null()) << user;
  EXPECT_TRUE(user.at("lastname").is_string() || user.at("lastname").is_null()) << user;
  expect_role_shape(user.at("role"));
}

std::string sha256_hex(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  std::string hex;
  for (unsigned char byte : digest) {
    char pair[3];
    std::snprintf(pair, sizeof pair, "%02x", byte);
    hex += pair;
  }
  return hex;
}

}  // namespace automation::testing
