// `automation oidc client add|list|remove` through the real binary on the shared server's
// database: the secret shown once and stored as its SHA-256 only, the --json shapes, refusals
// that write no client, and the audit trail. (The store's SQL runs on every engine in the
// contract suite: this group runs on SQLite only.)

#include <cctype>
#include <sstream>

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

// The JSON object a command printed (stdout and stderr share the output; it starts at '{' or
// '[', whichever comes first).
json oidc_cli_json(const std::string& output) {
  const auto start = output.find_first_of("{[");
  if (start == std::string::npos) return json();
  return json::parse(output.substr(start), nullptr, /*allow_exceptions=*/false);
}

// The value after "<key> " on its line of the text output ("" when absent).
std::string oidc_cli_value(const std::string& output, const std::string& key) {
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + " ", 0) == 0) return line.substr(key.size() + 1);
  }
  return "";
}

class OidcClientCli : public ApiTest {
 protected:
  int cli(const std::vector<std::string>& args, std::string* output = nullptr) {
    std::string text;
    const int code = server().run_cli(args, &text);
    if (output != nullptr) *output = std::move(text);
    return code;
  }

  std::string clients_named(const std::string& name) {
    return query_sql(server(), "SELECT COUNT(*) FROM oidc_clients WHERE name_key = '" + name + "'");
  }

  // The newest events of `event` the system user reads over HTTP.
  std::vector<json> audit_events_of(const std::string& event) {
    const auto response = http().get("/api/users/audit?limit=200", api_key(system_key()));
    EXPECT_EQ(response.status, 200) << response.body;
    std::vector<json> found;
    for (const auto& entry : response.json()) {
      if (entry.at("event") == event) found.push_back(entry);
    }
    return found;
  }
  bool oidc_audited(const std::string& event, const std::string& target,
                    const std::string& outcome) {
    for (const json& entry : audit_events_of(event)) {
      if (entry.at("actor") == "cli" && entry.at("address") == "cli" &&
          entry.at("target") == target && entry.at("outcome") == outcome) {
        return true;
      }
    }
    return false;
  }
};

TEST_F(OidcClientCli, AClientIsAddedWithItsSecretShownOnceListedWithoutItAndRemoved) {
  const std::string name = unique_name("ignition");
  std::string output;
  ASSERT_EQ(cli({"oidc", "client", "add", "--name", name, "--redirect-uri",
                 "https://hmi.plant.local:8043/data/federate/callback/oidc", "--redirect-uri",
                 "http://10.0.0.5:8088/cb", "--post-logout-redirect-uri",
                 "https://hmi.plant.local:8043/"},
                &output),
            0)
      << output;
  const std::string client_id = oidc_cli_value(output, "client_id");
  const std::string secret = oidc_cli_value(output, "client_secret");
  EXPECT_EQ(client_id.size(), 32u) << output;
  EXPECT_EQ(secret.size(), 64u) << output;
  EXPECT_NE(output.find("cannot be shown again"), std::string::npos) << output;
  remember_secret(secret);  // from here on, no output and no server log may show it
  EXPECT_EQ(query_sql(server(), "SELECT secret_digest FROM oidc_clients WHERE client_id = '" +
                                    client_id + "'"),
            sha256_hex(secret))
      << "only the secret's SHA-256 is kept";

  ASSERT_EQ(cli({"oidc", "client", "list"}, &output), 0) << output;
  expect_no_secrets(output, "oidc client list");
  EXPECT_EQ(output.find(sha256_hex(secret)), std::string::npos) << output;
  EXPECT_NE(output.find(client_id + "\t" + name + "\tconfidential\tauthorization_code\t"
                        "https://hmi.plant.local:8043/data/federate/callback/oidc "
                        "http://10.0.0.5:8088/cb\thttps://hmi.plant.local:8043/\t"),
            std::string::npos)
      << output;

  ASSERT_EQ(cli({"oidc", "client", "list", "--json"}, &output), 0) << output;
  expect_no_secrets(output, "oidc client list --json");
  EXPECT_EQ(output.find(sha256_hex(secret)), std::string::npos) << output;
  const json listed = oidc_cli_json(output);
  ASSERT_TRUE(listed.is_array()) << output;
  bool found = false;
  for (const json& client : listed) {
    if (client.at("client_id") != client_id) continue;
    found = true;
    EXPECT_EQ(client.at("name"), name);
    EXPECT_EQ(client.at("public"), false);
    EXPECT_EQ(client.at("grants"), json::array({"authorization_code"}));
    EXPECT_EQ(client.at("redirect_uris").size(), 2u);
    EXPECT_EQ(client.at("post_logout_redirect_uris"), json::array({"https://hmi.plant.local:8043/"}));
    EXPECT_EQ(client.at("created_by"), "cli");
    EXPECT_FALSE(client.contains("client_secret"));
    EXPECT_FALSE(client.contains("secret_digest"));
  }
  EXPECT_TRUE(found) << output;
  EXPECT_TRUE(oidc_audited("oidc_client_add", "oidc_client:" + name, "success"));

  // Removed by name in another case; then neither the name nor the id is found.
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ASSERT_EQ(cli({"oidc", "client", "remove", upper}, &output), 0) << output;
  EXPECT_NE(output.find(client_id), std::string::npos) << output;
  EXPECT_EQ(clients_named(name), "0");
  EXPECT_TRUE(oidc_audited("oidc_client_remove", "oidc_client:" + name, "success"));
  EXPECT_EQ(cli({"oidc", "client", "remove", client_id}, &output), 1) << output;
  EXPECT_TRUE(oidc_audited("oidc_client_remove", "oidc_client:" + client_id, "failure"));
}

TEST_F(OidcClientCli, JsonPrintsTheIdAndTheSecretOrNullAndMachineClientsNeedNoRedirect) {
  const std::string name = unique_name("grafana");
  std::string output;
  ASSERT_EQ(cli({"oidc", "client", "add", "--name", name, "--redirect-uri",
                 "https://grafana.plant.local/login/generic_oauth", "--json"},
                &output),
            0)
      << output;
  json added = oidc_cli_json(output);
  ASSERT_TRUE(added.is_object()) << output;
  EXPECT_EQ(added.size(), 2u) << output;
  ASSERT_TRUE(added.contains("client_id") && added.at("client_id").is_string()) << output;
  ASSERT_TRUE(added.contains("client_secret") && added.at("client_secret").is_string()) << output;
  remember_secret(added.at("client_secret").get<std::string>());

  const std::string optix = unique_name("optix");
  ASSERT_EQ(cli({"oidc", "client", "add", "--name", optix, "--public", "--redirect-uri",
                 "http://127.0.0.1:4711/callback", "--json"},
                &output),
            0)
      << output;
  added = oidc_cli_json(output);
  EXPECT_EQ(added.size(), 2u) << output;
  EXPECT_TRUE(added.at("client_secret").is_null()) << output;
  EXPECT_EQ(query_sql(server(), "SELECT secret_digest FROM oidc_clients WHERE name_key = '" +
                                    optix + "'"),
            "");

  const std::string historian = unique_name("historian");
  ASSERT_EQ(cli({"oidc", "client", "add", "--name", historian, "--grant", "client_credentials",
                 "--json"},
                &output),
            0)
      << output;
  added = oidc_cli_json(output);
  ASSERT_TRUE(added.at("client_secret").is_string()) << output;
  remember_secret(added.at("client_secret").get<std::string>());
  ASSERT_EQ(cli({"oidc", "client", "list", "--json"}, &output), 0) << output;
  for (const json& client : oidc_cli_json(output)) {
    if (client.at("name") == historian) {
      EXPECT_EQ(client.at("grants"), json::array({"client_credentials"}));
    }
    if (client.at("name") == optix) {
      EXPECT_EQ(client.at("public"), true);
    }
  }
}

TEST_F(OidcClientCli, RefusalsSayWhyAndWriteNoClient) {
  const std::string name = unique_name("hmi");
  std::string output;
  ASSERT_EQ(cli({"oidc", "client", "add", "--name", name, "--redirect-uri", "https://hmi/cb",
                 "--json"},
                &output),
            0)
      << output;
  remember_secret(oidc_cli_json(output).at("client_secret").get<std::string>());
  std::string upper = name;
  upper[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[0])));
  EXPECT_EQ(cli({"oidc", "client", "add", "--name", upper, "--redirect-uri", "https://hmi/cb"},
                &output),
            1);
  EXPECT_NE(output.find("name"), std::string::npos) << output;
  EXPECT_EQ(clients_named(name), "1") << "the duplicate was not written";
  EXPECT_TRUE(oidc_audited("oidc_client_add", "oidc_client:" + upper, "failure"));

  const std::string bad = unique_name("bad");
  const std::vector<std::pair<std::vector<std::string>, std::string>> refused = {
      {{"--redirect-uri", "ftp://hmi/cb"}, "http:// or https://"},
      {{"--redirect-uri", "https://hmi/cb#done"}, "fragment"},
      {{"--redirect-uri", "/relative/cb"}, "http:// or https://"},
      {{"--redirect-uri", "https://hmi/a b"}, "printable ASCII"},
      {{"--redirect-uri", "https://user@hmi/cb"}, "user information"},
      {{"--redirect-uri", "https:///cb"}, "host"},
      {{"--redirect-uri", "https://hmi/cb", "--post-logout-redirect-uri", "javascript:alert(1)"},
       "post_logout_redirect_uri"},
      {{}, "at least one"},
      {{"--public", "--grant", "client_credentials"}, "public client"},
  };
  for (const auto& [flags, why] : refused) {
    std::vector<std::string> args = {"oidc", "client", "add", "--name", bad};
    args.insert(args.end(), flags.begin(), flags.end());
    EXPECT_EQ(cli(args, &output), 1) << why << ": " << output;
    EXPECT_NE(output.find(why), std::string::npos) << output;
    EXPECT_EQ(clients_named(bad), "0") << why;
  }
  EXPECT_EQ(cli({"oidc", "client", "add", "--name", "bad name!", "--redirect-uri", "https://h/"},
                &output),
            1);
  EXPECT_NE(output.find("name"), std::string::npos) << output;
  // Usage errors: exit 2.
  EXPECT_EQ(cli({"oidc", "client", "add", "--name", bad, "--grant", "password"}, &output), 2)
      << output;
  EXPECT_EQ(cli({"oidc", "client", "remove"}, &output), 2) << output;
  EXPECT_EQ(clients_named(bad), "0");

  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"oidc"}, {"oidc", "client"}, {"oidc", "client", "add"},
        {"oidc", "client", "list"}, {"oidc", "client", "remove"}}) {
    std::vector<std::string> args = command;
    args.push_back("--help");
    EXPECT_EQ(cli(args, &output), 0) << output;
    EXPECT_NE(output.find("Example:\n  automation oidc"), std::string::npos) << output;
  }
}

}  // namespace
}  // namespace automation::testing
