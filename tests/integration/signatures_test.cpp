// Electronic signatures on the real binary and each database (docs/signatures.md): sign and
// countersign, the §11.200 components, who may sign and read, the throttle, the audit event
// in the same transaction, signatures outliving their signer, the database refusing edits,
// tampering found by the API and the command line, and a third party (the `openssl` command)
// verifying a signature from the published key and the documented encoding alone.

#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "controls_server.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

// The client's digest of a record: what an HMI computes over its batch record.
const std::string kBatchDigest = sha256_hex("batch B-1042: 500 kg, released");
const std::string kOtherDigest = sha256_hex("batch B-1042: 450 kg, released");

json sign_body(const std::string& meaning, const std::optional<std::string>& username,
               const std::string& password = kUserPassword) {
  json body{{"password", password},
            {"meaning", meaning},
            {"record_type", "batch"},
            {"record_id", "B-1042"},
            {"record_digest", kBatchDigest}};
  if (username) body["username"] = *username;
  return body;
}

json countersign_body(const std::string& id, const std::string& username) {
  return json{{"username", username},
              {"password", kUserPassword},
              {"meaning", "verified"},
              {"verifies", id}};
}

// A scratch directory for files handed to `openssl` and the CLI.
class ScratchDir {
 public:
  ScratchDir() {
    char pattern[] = "/tmp/automation-signatures-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string& name, const std::string& contents) const {
    const std::string path = (path_ / name).string();
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Runs a shell command; its exit code and combined output.
int shell(const std::string& command, std::string* output = nullptr) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::string text;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) text += buffer;
  const int status = ::pclose(pipe);
  if (output != nullptr) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string base64_decode(const std::string& text) {
  std::string out(text.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return {};
  std::size_t size = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes.
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) --size;
  out.resize(size);
  return out;
}

// The documented canonical encoding (docs/signatures.md), written here from the docs, not
// taken from the service.
std::string canonical_message(const json& s) {
  std::string message = "automation-signature-v1\n";
  auto field = [&message](const std::string& value) {
    message += std::to_string(value.size()) + ":" + value + "\n";
  };
  for (const char* name : {"id", "signer_id", "username", "printed_name", "role", "meaning"}) {
    field(s.at(name).get<std::string>());
  }
  field(std::to_string(s.at("timestamp").get<long long>()));
  for (const char* name : {"record_type", "record_id", "record_digest", "comment"}) {
    field(s.at(name).get<std::string>());
  }
  field(s.at("verifies").is_null() ? std::string() : s.at("verifies").get<std::string>());
  field(s.at("authentication").get<std::string>());
  field(s.at("key_id").get<std::string>());
  return message;
}

// Drops the append-only guard, as someone with administrative rights on the database could.
void drop_append_only_guard(ServerProcess& server) {
  switch (server.backend()) {
    case TestBackend::kSqlite:
      run_sql(server, "DROP TRIGGER signatures_no_UPDATE");
      break;
    case TestBackend::kPostgresql:
      run_sql(server, "DROP TRIGGER signatures_append_only ON signatures");
      break;
    case TestBackend::kMysql:
      run_sql(server, "DROP TRIGGER signatures_no_UPDATE");
      break;
  }
}

// True when the statement succeeds on the server's database.
bool sql_succeeds(ServerProcess& server, const std::string& statement) {
  if (const ScratchDatabase* database = server.server_database()) {
    try {
      (void)database->query(statement);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(server.db_file().c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return false;
  }
  sqlite3_busy_timeout(db, 5000);
  const bool done = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(db);
  return done;
}

// Gives the user a name and lastname (the printed name is then "Olga Ortiz").
void name_olga_ortiz(ControlsServer& server, const std::string& username) {
  const auto edited = server.http().put("/api/users/" + username,
                                        json{{"name", "Olga"}, {"lastname", "Ortiz"}},
                                        api_key(server.system_key()));
  ASSERT_EQ(edited.status, 200) << edited.body;
}

HttpResponse sign(ControlsServer& server, const std::string& key, const json& body) {
  return server.http().post("/api/signatures", body, api_key(key));
}

TEST(Signatures, SignAndCountersignOnTheRealBinary) {
  ControlsServer server;
  server.add_user("olga1", "operator");
  server.add_user("sam1", "supervisor");
  server.add_user("gus1", "guest");
  name_olga_ortiz(server, "olga1");
  const std::string olga = server.key_of("olga1");
  const std::string sam = server.key_of("sam1");

  // The first signature of a session needs both components.
  const auto without_username = sign(server, olga, sign_body("performed", std::nullopt));
  EXPECT_EQ(without_username.status, 400) << without_username.body;
  EXPECT_TRUE(without_username.json().at("errors").contains("username"));
  const auto performed = sign(server, olga, sign_body("performed", "olga1"));
  ASSERT_EQ(performed.status, 200) << performed.body;
  const json first = performed.json();
  EXPECT_EQ(first.at("printed_name"), "Olga Ortiz");
  EXPECT_EQ(first.at("username"), "olga1");
  EXPECT_EQ(first.at("role"), "operator");
  EXPECT_EQ(first.at("meaning"), "performed");
  EXPECT_EQ(first.at("record_digest"), kBatchDigest);
  EXPECT_EQ(first.at("authentication"), "username+password");
  EXPECT_EQ(first.at("timezone"), "America/Caracas");
  EXPECT_TRUE(is_login_datetime(first.at("signed_at_local").get<std::string>()));
  EXPECT_TRUE(first.at("intact").get<bool>());
  EXPECT_TRUE(first.at("verification").is_null());
  const std::string id = first.at("id");

  // Later in the same session, the password alone; a form body works as JSON does.
  const auto second = server.http().post_raw(
      "/api/signatures",
      form_encode({{"password", kUserPassword},
                   {"meaning", "performed"},
                   {"record_type", "batch"},
                   {"record_id", "B-1043"},
                   {"record_digest", kOtherDigest}}),
      {"X-API-KEY: " + olga, "Content-Type: application/x-www-form-urlencoded"});
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.json().at("authentication"), "password");

  // A role not allowed cannot sign the meaning (approved: level 2 and below).
  const auto approve = sign(server, olga, sign_body("approved", std::nullopt));
  EXPECT_EQ(approve.status, 403) << approve.body;
  EXPECT_EQ(sign(server, server.key_of("gus1"), sign_body("performed", "gus1")).status, 403);
  // Nor may a third-party token sign, whatever its role.
  const auto tpt = server.http().post("/api/users/create_tpt", json{{"role_name", "admin"}},
                                      api_key(server.system_key()));
  ASSERT_EQ(tpt.status, 200) << tpt.body;
  remember_secret(tpt.json().at("token"));
  EXPECT_EQ(sign(server, tpt.json().at("token"), sign_body("performed", "system")).status, 403);

  // The same person cannot verify.
  const auto self = sign(server, olga, countersign_body(id, "olga1"));
  EXPECT_EQ(self.status, 403) << "an operator may not sign `verified` at all: " << self.body;
  server.add_user("sven1", "supervisor");
  const std::string sven = server.key_of("sven1");
  const auto sven_signed = sign(server, sven, sign_body("reviewed", "sven1"));
  ASSERT_EQ(sven_signed.status, 200) << sven_signed.body;
  const auto sven_self = sign(server, sven, countersign_body(sven_signed.json().at("id"), "sven1"));
  EXPECT_EQ(sven_self.status, 400) << sven_self.body;
  EXPECT_EQ(sven_self.json().value("error_type", ""), "verifier_is_signer");

  // Another person countersigns the same record.
  const auto verified = sign(server, sam, countersign_body(id, "sam1"));
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(verified.json().at("verifies"), id);
  EXPECT_EQ(verified.json().at("record_digest"), kBatchDigest);
  EXPECT_EQ(sign(server, sam, countersign_body(id, "sam1")).status, 409) << "one verification";

  // The original now shows it, to its signer; the record lists both to an auditor.
  const auto shown = server.http().get("/api/signatures/" + id, api_key(olga));
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(shown.json().at("verification").at("username"), "sam1");
  EXPECT_EQ(server.http().get("/api/signatures/" + id, api_key(sven)).status, 403)
      << "a supervisor reads only their own signatures";
  server.add_user("aud1", "auditor");
  const auto listed = server.http().get("/api/signatures?record_type=batch&record_id=B-1042",
                                        api_key(server.key_of("aud1")));
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json().size(), 3u);

  // Verify: intact, and matching the record only for the signed digest.
  const auto check = server.http().post(
      "/api/signatures/verify", json{{"signature_id", id}, {"record_digest", kBatchDigest}},
      api_key(olga));
  ASSERT_EQ(check.status, 200) << check.body;
  EXPECT_TRUE(check.json().at("intact").get<bool>());
  EXPECT_TRUE(check.json().at("matches_record").get<bool>());
  const auto changed = server.http().post(
      "/api/signatures/verify", json{{"signature_id", id}, {"record_digest", kOtherDigest}},
      api_key(olga));
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_FALSE(changed.json().at("matches_record").get<bool>());

  // Every signature is an audit event (the failed attempts too).
  EXPECT_TRUE(server.has_event("signature",
                               "performed of batch/B-1042: signature " + id, "success"));
  EXPECT_TRUE(server.has_event("signature", "approved of batch/B-1042", "denied"));
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(Signatures, AWrongPasswordCountsAsAFailedLoginAndThrottles) {
  ControlsServer throttled(Env{{"AUTOMATION_LOGIN_MAX_FAILURES", "2"}});
  throttled.add_user("olga2", "operator");
  const std::string olga = throttled.key_of("olga2");
  for (int i = 0; i < 2; ++i) {
    const auto wrong = throttled.http().post(
        "/api/signatures", sign_body("performed", "olga2", "Wrong-Passw0rd-1"), api_key(olga));
    EXPECT_EQ(wrong.status, 403) << wrong.body;
    EXPECT_EQ(wrong.json().value("error_type", ""), "invalid_credentials");
  }
  const auto blocked = throttled.http().post("/api/signatures", sign_body("performed", "olga2"),
                                             api_key(olga));
  EXPECT_EQ(blocked.status, 429) << blocked.body;
  EXPECT_FALSE(blocked.header("retry-after").empty());
  EXPECT_EQ(throttled.login("olga2", kUserPassword).status, 429) << "the login's own count";
  EXPECT_TRUE(throttled.has_event("signature", "performed of batch/B-1042", "failure"));
  EXPECT_EQ(query_sql(throttled.process(), "SELECT COUNT(*) FROM signatures"), "0");
  EXPECT_EQ(throttled.process().stop(), 0);
}

TEST(Signatures, OpenSslVerifiesASignatureFromThePublishedKeyAlone) {
  ControlsServer server;
  server.add_user("olga3", "operator");
  json body = sign_body("performed", "olga3");
  body["comment"] = "Ünïcode and a\nline break";
  const auto made = sign(server, server.key_of("olga3"), body);
  ASSERT_EQ(made.status, 200) << made.body;
  const json signature = made.json();

  const auto keys = server.http().get("/api/signatures/keys");  // no key needed
  ASSERT_EQ(keys.status, 200) << keys.body;
  // Kept: a range-for over keys.json().at(...) would walk a destroyed temporary.
  const json published = keys.json();
  std::string raw_key;
  for (const json& key : published.at("keys")) {
    if (key.at("key_id") == signature.at("key_id")) raw_key = base64_decode(key.at("public_key"));
  }
  ASSERT_EQ(raw_key.size(), 32u) << keys.body;

  ScratchDir dir;
  // RFC 8410: an Ed25519 SubjectPublicKeyInfo is a fixed 12-byte DER prefix and the raw key.
  const std::string der_prefix("\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00", 12);
  const std::string der = dir.file("key.der", der_prefix + raw_key);
  std::string output;
  ASSERT_EQ(shell("openssl pkey -pubin -inform DER -in " + der + " -out " + dir.path("key.pem"),
                  &output),
            0)
      << output;
  const std::string message = dir.file("message.bin", canonical_message(signature));
  const std::string seal = dir.file("seal.bin", base64_decode(signature.at("value")));
  const std::string verify = "openssl pkeyutl -verify -pubin -inkey " + dir.path("key.pem") +
                             " -rawin -in ";
  EXPECT_EQ(shell(verify + message + " -sigfile " + seal, &output), 0) << output;
  EXPECT_NE(output.find("Signature Verified Successfully"), std::string::npos) << output;

  // The same seal over another record digest does not verify.
  json moved = signature;
  moved["record_digest"] = kOtherDigest;
  const std::string other = dir.file("moved.bin", canonical_message(moved));
  EXPECT_NE(shell(verify + other + " -sigfile " + seal, &output), 0) << output;
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(Signatures, TamperingIsFoundByTheApiAndTheCommandLine) {
  ControlsServer server;
  server.add_user("olga4", "operator");
  const std::string olga = server.key_of("olga4");
  const auto made = sign(server, olga, sign_body("performed", "olga4"));
  ASSERT_EQ(made.status, 200) << made.body;
  const std::string id = made.json().at("id");
  ASSERT_EQ(sign(server, olga, sign_body("performed", std::nullopt)).status, 200);

  // The database refuses to change or delete a signature.
  ServerProcess& process = server.process();
  EXPECT_FALSE(sql_succeeds(process, "UPDATE signatures SET comment = 'edited'"));
  EXPECT_FALSE(sql_succeeds(process, "DELETE FROM signatures"));
  EXPECT_EQ(query_sql(process, "SELECT COUNT(*) FROM signatures"), "2");

  // Intact so far, in the database and in an export, which verifies with no database.
  ScratchDir dir;
  std::string output;
  EXPECT_EQ(process.run_cli({"signature", "verify"}, &output), 0) << output;
  EXPECT_NE(output.find("signatures intact: 2"), std::string::npos) << output;
  const std::string exported = dir.path("signatures.jsonl");
  ASSERT_EQ(process.run_cli({"signature", "export", "--output", exported}, &output), 0) << output;
  EXPECT_EQ(process.run_cli({"signature", "verify", "--export", exported}, &output), 0) << output;

  // An export edited (the signature moved to another record) fails, naming the signature.
  std::ifstream in(exported);
  std::stringstream text;
  text << in.rdbuf();
  std::string edited = text.str();
  const auto at = edited.find(kBatchDigest);
  ASSERT_NE(at, std::string::npos);
  edited.replace(at, kBatchDigest.size(), kOtherDigest);
  const std::string edited_file = dir.file("edited.jsonl", edited);
  EXPECT_EQ(process.run_cli({"signature", "verify", "--export", edited_file}, &output), 1)
      << output;
  EXPECT_NE(output.find("signature " + id), std::string::npos) << output;

  // What an export names reaches the terminal escaped: a line whose id carries a terminal
  // control sequence cannot clear the operator's screen.
  const std::string id_field = "\"id\":\"" + id + "\"";
  const auto line_start = edited.rfind('\n', edited.find(id_field)) + 1;  // npos + 1 == 0
  std::string hostile = edited.substr(line_start, edited.find('\n', line_start) - line_start);
  hostile.replace(hostile.find(id_field), id_field.size(),
                  "\"id\":\"\\u001b[2J" + id + "\"");
  const std::string hostile_file = dir.file("hostile.jsonl", hostile + "\n");
  EXPECT_EQ(process.run_cli({"signature", "verify", "--export", hostile_file}, &output), 1)
      << output;
  EXPECT_EQ(output.find('\x1b'), std::string::npos) << output;
  EXPECT_NE(output.find("signature \\x1b[2J" + id), std::string::npos) << output;

  // Someone with rights over the database drops the guard and moves the signature to another
  // record: the API and the command line both find it.
  drop_append_only_guard(process);
  run_sql(process, "UPDATE signatures SET record_digest = '" + kOtherDigest +
                       "' WHERE signature_id = '" + id + "'");
  const auto check = server.http().post(
      "/api/signatures/verify", json{{"signature_id", id}, {"record_digest", kOtherDigest}},
      api_key(olga));
  ASSERT_EQ(check.status, 200) << check.body;
  EXPECT_FALSE(check.json().at("intact").get<bool>());
  EXPECT_NE(check.json().value("problem", "").find("seal does not match"), std::string::npos);
  EXPECT_EQ(process.run_cli({"signature", "verify"}, &output), 1) << output;
  EXPECT_NE(output.find("signature " + id), std::string::npos) << output;
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(Signatures, SignaturesSurviveTheSignersDeletion) {
  ControlsServer server;
  server.add_user("olga5", "operator");
  name_olga_ortiz(server, "olga5");
  const auto made = sign(server, server.key_of("olga5"), sign_body("performed", "olga5"));
  ASSERT_EQ(made.status, 200) << made.body;
  const std::string id = made.json().at("id");
  ASSERT_EQ(server.http().del("/api/users/olga5", api_key(server.system_key())).status, 200);
  const auto kept = server.http().get("/api/signatures/" + id, api_key(server.system_key()));
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(kept.json().at("username"), "olga5");
  EXPECT_EQ(kept.json().at("printed_name"), "Olga Ortiz");
  EXPECT_EQ(kept.json().at("signer_id"), made.json().at("signer_id"));
  EXPECT_TRUE(kept.json().at("intact").get<bool>());
  // A new user of the same name is another person: not the signer.
  server.add_user("olga5", "supervisor");
  EXPECT_EQ(server.http().get("/api/signatures/" + id, api_key(server.key_of("olga5"))).status,
            403);
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(Signatures, ASignatureWhoseAuditEventCannotBeWrittenIsNotMade) {
  ControlsServer server;
  server.add_user("olga6", "operator");
  const std::string olga = server.key_of("olga6");
  break_audit_store(server.process());
  const auto refused = sign(server, olga, sign_body("performed", "olga6"));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_FALSE(refused.header("retry-after").empty());
  repair_audit_store(server.process());
  EXPECT_EQ(query_sql(server.process(), "SELECT COUNT(*) FROM signatures"), "0");
  EXPECT_EQ(sign(server, olga, sign_body("performed", std::nullopt)).status, 400)
      << "the session was not marked as one that signed";
  EXPECT_EQ(server.process().stop(), 0);
}

TEST(Signatures, AKeyFileFromOpenSslSealsAndOldKeysStayPublished) {
  ControlsServer server;
  server.add_user("olga7", "operator");
  const auto before = sign(server, server.key_of("olga7"), sign_body("performed", "olga7"));
  ASSERT_EQ(before.status, 200) << before.body;
  const std::string generated_key_id = before.json().at("key_id");

  ScratchDir dir;
  const std::string pem = dir.path("signing.pem");
  std::string output;
  ASSERT_EQ(shell("openssl genpkey -algorithm ed25519 -out " + pem + " && chmod 600 " + pem,
                  &output),
            0)
      << output;
  // The command line started with the key file publishes that key, next to the old one; the
  // old signature still verifies.
  const std::string env = dir.file("rotated.env", "AUTOMATION_SIGNING_KEY_FILE=" + pem + "\n");
  EXPECT_EQ(server.process().run_cli({"--env-file", env, "signature", "verify"}, &output), 0)
      << output;
  const auto keys = server.http().get("/api/signatures/keys");
  ASSERT_EQ(keys.status, 200) << keys.body;
  const json published = keys.json();
  ASSERT_EQ(published.at("keys").size(), 2u) << keys.body;
  std::string file_key_pem;
  for (const json& key : published.at("keys")) {
    EXPECT_EQ(key.at("current").get<bool>(), key.at("key_id") == generated_key_id) << keys.body;
    if (key.at("key_id") != generated_key_id) file_key_pem = key.at("public_key_pem");
  }
  // The key published is the file's, as openssl derives its public half.
  ASSERT_EQ(shell("openssl pkey -in " + pem + " -pubout", &output), 0) << output;
  EXPECT_EQ(output, file_key_pem);

  // A key file others may read is refused at start, naming the setting.
  ASSERT_EQ(::chmod(pem.c_str(), 0640), 0);
  EXPECT_NE(server.process().run_cli({"--env-file", env, "signature", "verify"}, &output), 0);
  EXPECT_NE(output.find("AUTOMATION_SIGNING_KEY_FILE"), std::string::npos) << output;
  EXPECT_EQ(server.process().stop(), 0);
}

}  // namespace
}  // namespace automation::testing
