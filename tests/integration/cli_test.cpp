// The command-line tool against the shared server's real database (SQLite file, or
// PostgreSQL in the pg.* run): every command, its --help example, its exit codes, and that
// changes it makes are enforced by the running server at once and audited.

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

std::vector<std::string> non_empty_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// The JSON a command printed (stdout and stderr share the output file; the JSON starts at
// the first '[').
json json_of(const std::string& output) {
  const auto start = output.find('[');
  if (start == std::string::npos) return json();
  return json::parse(output.substr(start), nullptr, /*allow_exceptions=*/false);
}

class CommandLine : public ApiTest {
 protected:
  int cli(const std::vector<std::string>& args, std::string* output = nullptr) {
    std::string text;
    const int code = server().run_cli(args, &text);
    expect_no_secrets(text, "output of automation " + args.front());
    if (output != nullptr) *output = std::move(text);
    return code;
  }

  // The newest audit events, as the system user reads them over HTTP.
  json audit_events(int limit = 20) {
    const auto response =
        http().get("/api/users/audit?limit=" + std::to_string(limit), api_key(system_key()));
    EXPECT_EQ(response.status, 200) << response.body;
    return response.json();
  }

  bool audited(const std::string& event, const std::string& target_part,
               const std::string& outcome) {
    for (const auto& entry : audit_events()) {
      if (entry.at("event") == event && entry.at("actor") == "cli" &&
          entry.at("address") == "cli" && entry.at("outcome") == outcome &&
          entry.at("target").get<std::string>().find(target_part) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  int status_with(const std::string& key) {
    return http().get("/api/users/me", api_key(key)).status;
  }
};

TEST_F(CommandLine, EveryCommandsHelpShowsAnExample) {
  const std::vector<std::vector<std::string>> commands = {
      {"serve"},          {"user"},           {"user", "create"},      {"user", "list"},
      {"user", "set-password"}, {"user", "set-role"}, {"user", "delete"}, {"session"},
      {"session", "list"}, {"session", "revoke"}, {"role"}, {"role", "list"}, {"role", "add"},
      {"tpt"},            {"tpt", "create"},  {"tpt", "list"},         {"tpt", "revoke"},
      {"audit"},          {"audit", "tail"},  {"db"},                  {"db", "migrate"},
      {"db", "copy"}};
  for (auto command : commands) {
    std::string joined;
    for (const auto& word : command) joined += word + " ";
    command.push_back("--help");
    std::string output;
    EXPECT_EQ(cli(command, &output), 0) << joined << output;
    EXPECT_NE(output.find("Example:\n  automation "), std::string::npos) << joined << output;
  }
  std::string top;
  EXPECT_EQ(cli({"--help"}, &top), 0);
  EXPECT_NE(top.find("Exit codes: 0"), std::string::npos) << top;
}

TEST_F(CommandLine, BadUsageExitsTwoAndChangesNothing) {
  const std::string name = unique_name("usage");
  create_user(name, "operator");
  const std::string key = login(name);
  const std::vector<std::vector<std::string>> misuses = {
      {"no-such-command"},
      {"user"},
      {"user", "delete"},                                    // --username missing
      {"user", "delete", "--username", name, "--bogus"},     // unknown flag
      {"session", "revoke", "--user", name},                 // neither --id nor --all
      {"session", "revoke", "--all"},                        // --all without --user
      {"session", "revoke", "--user", name, "--all", "--id", "x"},
      {"audit", "tail", "--limit", "0"},
      {"audit", "tail", "--limit", "1001"},
      {"audit", "tail", "--limit", "many"},
  };
  for (const auto& args : misuses) {
    std::string output;
    EXPECT_EQ(cli(args, &output), 2) << args.back() << ": " << output;
  }
  EXPECT_EQ(status_with(key), 200);  // nothing was revoked or deleted

  ServerProcess misconfigured(std::map<std::string, std::string>{{"AUTOMATION_PASSWORD_MIN_LENGTH", "many"}});
  std::string output;
  EXPECT_EQ(misconfigured.run_cli({"user", "list"}, &output), 2) << output;
  EXPECT_NE(output.find("AUTOMATION_PASSWORD_MIN_LENGTH"), std::string::npos) << output;
}

TEST_F(CommandLine, UserListJsonHasTheApiShapeAndNoHashes) {
  const std::string name = unique_name("listed");
  create_user(name, "supervisor");
  std::string output;
  ASSERT_EQ(cli({"user", "list", "--json"}, &output), 0) << output;
  const json users = json_of(output);
  ASSERT_TRUE(users.is_array()) << output;
  const auto found = std::find_if(users.begin(), users.end(),
                                  [&](const json& user) { return user.at("username") == name; });
  ASSERT_NE(found, users.end()) << output;
  EXPECT_EQ(found->at("email"), name + "@plant.example");
  EXPECT_EQ(found->at("role").at("name"), "supervisor");
  EXPECT_EQ(found->at("role").at("level"), 2);
  EXPECT_FALSE(found->contains("password"));
  for (const auto& user : users) EXPECT_NE(user.at("username"), "system");  // sudo left out

  std::string text;
  ASSERT_EQ(cli({"user", "list"}, &text), 0);
  EXPECT_NE(text.find("\t" + name + "\t"), std::string::npos) << text;
}

TEST_F(CommandLine, UserDeleteEndsTheAccountAndItsSessionsAndIsAudited) {
  const std::string name = unique_name("leaver");
  create_user(name, "operator");
  const std::string key = login(name);
  ASSERT_EQ(status_with(key), 200);

  std::string output;
  ASSERT_EQ(cli({"user", "delete", "--username", name}, &output), 0) << output;
  EXPECT_EQ(status_with(key), 401);  // the running server enforces it at once
  EXPECT_EQ(http().get("/api/users/" + name, api_key(system_key())).status, 404);
  EXPECT_TRUE(audited("user_delete", name, "success"));

  EXPECT_EQ(cli({"user", "delete", "--username", name}, &output), 1) << output;
  EXPECT_TRUE(audited("user_delete", name, "failure"));

  EXPECT_EQ(cli({"user", "delete", "--username", "system"}, &output), 1) << output;
  EXPECT_NE(output.find("the system user cannot be deleted"), std::string::npos) << output;
  EXPECT_EQ(status_with(system_key()), 200);
  EXPECT_TRUE(audited("user_delete", "system", "denied"));
}

TEST_F(CommandLine, SessionsAreListedByIdNeverByKeyOrDigest) {
  const std::string name = unique_name("sessions");
  create_user(name, "operator");
  const std::string first = login(name);
  const std::string second = login(name);

  std::string text;
  ASSERT_EQ(cli({"session", "list", "--user", name}, &text), 0) << text;
  const auto lines = non_empty_lines(text);
  ASSERT_EQ(lines.size(), 2u) << text;
  for (const std::string& key : {first, second}) {
    EXPECT_EQ(text.find(key), std::string::npos);
    EXPECT_EQ(text.find(sha256_hex(key)), std::string::npos);
    EXPECT_EQ(text.find(sha256_hex(key).substr(0, 16)), std::string::npos);
  }
  EXPECT_NE(lines[0].find("\t" + name + "\t"), std::string::npos) << lines[0];

  std::string output;
  ASSERT_EQ(cli({"session", "list", "--user", name, "--json"}, &output), 0) << output;
  const json sessions = json_of(output);
  ASSERT_TRUE(sessions.is_array() && sessions.size() == 2u) << output;
  for (const auto& session : sessions) {
    EXPECT_EQ(session.at("username"), name);
    EXPECT_EQ(session.at("id").get<std::string>().size(), 16u);
    EXPECT_LE(session.at("created_at").get<long long>(), session.at("expires_at").get<long long>());
    EXPECT_TRUE(session.at("created_on").is_string());
    EXPECT_EQ(lines[0].rfind(sessions[0].at("id").get<std::string>(), 0), 0u);
  }
  for (const std::string& key : {first, second}) {
    EXPECT_EQ(output.find(sha256_hex(key)), std::string::npos);
  }

  EXPECT_EQ(cli({"session", "list", "--user", unique_name("nobody")}, &output), 1) << output;
}

TEST_F(CommandLine, RevokingOneSessionEndsOnlyThatKey) {
  const std::string name = unique_name("revokee");
  const std::string other = unique_name("bystander");
  create_user(name, "operator");
  create_user(other, "operator");
  const std::string first = login(name);
  const std::string second = login(name);
  const std::string others_key = login(other);
  std::string output;
  ASSERT_EQ(cli({"session", "list", "--user", name, "--json"}, &output), 0) << output;
  const json sessions = json_of(output);
  ASSERT_EQ(sessions.size(), 2u) << output;
  const std::string id = sessions[0].at("id");

  // Another user's name with this id: not found, nothing ends.
  EXPECT_EQ(cli({"session", "revoke", "--user", other, "--id", id}, &output), 1) << output;
  EXPECT_EQ(status_with(first), 200);
  EXPECT_EQ(status_with(second), 200);

  ASSERT_EQ(cli({"session", "revoke", "--user", name, "--id", id}, &output), 0) << output;
  EXPECT_NE(output.find("revoked session " + id + " of " + name), std::string::npos) << output;
  const int first_status = status_with(first);
  const int second_status = status_with(second);
  EXPECT_EQ(std::min(first_status, second_status), 200);  // exactly one of them ended
  EXPECT_EQ(std::max(first_status, second_status), 401);
  EXPECT_EQ(status_with(others_key), 200);
  EXPECT_TRUE(audited("session_revoke", name + " session " + id, "success"));

  EXPECT_EQ(cli({"session", "revoke", "--id", id}, &output), 1) << output;  // already gone
  EXPECT_TRUE(audited("session_revoke", id, "failure"));
}

TEST_F(CommandLine, RevokingAllOfAUsersSessionsByIdOrAll) {
  const std::string name = unique_name("everywhere");
  const std::string other = unique_name("untouched");
  create_user(name, "operator");
  create_user(other, "operator");
  const std::string first = login(name);
  const std::string second = login(name);
  const std::string third = login(name);
  const std::string others_key = login(other);

  std::string output;
  ASSERT_EQ(cli({"session", "list", "--user", name, "--json"}, &output), 0) << output;
  const std::string id = json_of(output).at(2).at("id");
  ASSERT_EQ(cli({"session", "revoke", "--id", id}, &output), 0) << output;  // by id alone
  EXPECT_NE(output.find(" of " + name), std::string::npos) << output;
  int ended = 0;  // logins within one second are listed in id order: which one is not known
  for (const std::string& key : {first, second, third}) ended += status_with(key) == 401 ? 1 : 0;
  EXPECT_EQ(ended, 1);

  ASSERT_EQ(cli({"session", "revoke", "--user", name, "--all"}, &output), 0) << output;
  EXPECT_NE(output.find("revoked 2 session(s) of " + name), std::string::npos) << output;
  for (const std::string& key : {first, second, third}) EXPECT_EQ(status_with(key), 401);
  EXPECT_EQ(status_with(others_key), 200);
  EXPECT_TRUE(audited("session_revoke_all", name, "success"));
  ASSERT_EQ(cli({"session", "list", "--user", name}, &output), 0);
  EXPECT_TRUE(non_empty_lines(output).empty()) << output;

  EXPECT_EQ(cli({"session", "revoke", "--user", unique_name("ghost"), "--all"}, &output), 1);
}

TEST_F(CommandLine, AuditTailShowsTheLastEventsOldestFirst) {
  const std::string name = unique_name("audited");
  create_user(name, "operator");
  login(name);
  const auto failed = http().post("/api/users/login",
                                  json{{"username", name}, {"password", "wrong-password-1"}});
  ASSERT_EQ(failed.status, 403);

  std::string output;
  ASSERT_EQ(cli({"audit", "tail", "--limit", "2", "--json"}, &output), 0) << output;
  const json events = json_of(output);
  ASSERT_TRUE(events.is_array() && events.size() == 2u) << output;
  EXPECT_EQ(events[0].at("event"), "login");
  EXPECT_EQ(events[0].at("outcome"), "success");
  EXPECT_EQ(events[1].at("event"), "login");  // the newest comes last
  EXPECT_EQ(events[1].at("outcome"), "failure");  // a wrong password
  EXPECT_EQ(events[1].at("target"), name);
  EXPECT_LE(events[0].at("timestamp").get<long long>(), events[1].at("timestamp").get<long long>());

  ASSERT_EQ(cli({"audit", "tail", "--limit", "2"}, &output), 0) << output;
  const auto lines = non_empty_lines(output);
  ASSERT_EQ(lines.size(), 2u) << output;
  EXPECT_NE(lines[1].find("\tlogin\t"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("\tfailure\t"), std::string::npos) << lines[1];

  ASSERT_EQ(cli({"audit", "tail"}, &output), 0);
  const std::size_t recorded = audit_events(1000).size();
  EXPECT_EQ(non_empty_lines(output).size(), std::min<std::size_t>(recorded, 20))
      << output;  // default
}

}  // namespace
}  // namespace automation::testing
