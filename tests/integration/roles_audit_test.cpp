// Roles (list, add) and the audit log.

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

class RolesAndAudit : public ApiTest {};

TEST_F(RolesAndAudit, RoleListLeavesOutSudo) {
  for (const char* path : {"/api/users/roles/", "/api/users/roles"}) {
    const auto response = http().get(path, api_key(system_key()));
    ASSERT_EQ(response.status, 200) << response.body;
    const json roles = response.json();
    ASSERT_TRUE(roles.is_array());
    std::map<std::string, int> levels;
    for (const auto& role : roles) {
      EXPECT_EQ(role.size(), 3U) << role;
      EXPECT_TRUE(role.at("identifier").is_string());
      levels[role.at("name").get<std::string>()] = role.at("level").get<int>();
    }
    EXPECT_FALSE(levels.contains("sudo"));
    EXPECT_EQ(levels["admin"], 1);
    EXPECT_EQ(levels["supervisor"], 2);
    EXPECT_EQ(levels["operator"], 10);
    EXPECT_EQ(levels["auditor"], 100);
    EXPECT_EQ(levels["guest"], 256);
  }
}

TEST_F(RolesAndAudit, AddRoleRules) {
  const std::string name = unique_name("technician");
  const auto added = http().post("/api/users/roles/add", json{{"name", name}, {"level", 5}},
                                 api_key(system_key()));
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(added.json().at("name"), name);
  EXPECT_EQ(added.json().at("level"), 5);
  EXPECT_TRUE(added.json().at("identifier").is_string());
  const auto duplicate = http().post("/api/users/roles/add", json{{"name", name}, {"level", 6}},
                                     api_key(system_key()));
  EXPECT_EQ(duplicate.status, 409) << duplicate.body;
  const std::string root = unique_name("root");
  const auto level_zero = http().post("/api/users/roles/add", json{{"name", root}, {"level", 0}},
                                      api_key(system_key()));
  EXPECT_EQ(level_zero.status, 400) << level_zero.body;
  // The refusal's reason is in the trail once (it was "...; level level must be ...").
  const auto refusals =
      http().get("/api/users/audit?event=role_add&target=" + root, api_key(system_key())).json();
  ASSERT_EQ(refusals.size(), 1u) << refusals.dump();
  EXPECT_EQ(refusals[0].at("reason"), "level must be greater than 0");
  const auto wrong_type =
      http().post("/api/users/roles/add", json{{"name", unique_name("typed")}, {"level", "5"}},
                  api_key(system_key()));
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_TRUE(wrong_type.json().at("errors").contains("level")) << wrong_type.body;
  const auto missing = http().post("/api/users/roles/add", json::object(), api_key(system_key()));
  EXPECT_EQ(missing.status, 400);
  EXPECT_TRUE(missing.json().at("errors").contains("name"));
  EXPECT_TRUE(missing.json().at("errors").contains("level"));

  const std::string op = unique_name("role_op");
  create_user(op, "operator");
  const auto by_operator =
      http().post("/api/users/roles/add", json{{"name", unique_name("mine")}, {"level", 50}},
                  api_key(login(op)));
  EXPECT_EQ(by_operator.status, 403) << by_operator.body;
  // The new role is usable at once.
  const auto listed = http().get("/api/users/roles", api_key(system_key())).json();
  EXPECT_NE(std::find_if(listed.begin(), listed.end(),
                         [&](const json& role) { return role.at("name") == name; }),
            listed.end());
}

TEST_F(RolesAndAudit, AuditListsEventsNewestFirstForPrivilegedRoles) {
  const std::string auditor = unique_name("auditor");
  create_user(auditor, "auditor");
  const std::string auditor_key = login(auditor);
  const auto events = http().get("/api/users/audit", api_key(auditor_key));
  ASSERT_EQ(events.status, 200) << events.body;
  const json list = events.json();
  ASSERT_TRUE(list.is_array());
  ASSERT_FALSE(list.empty());
  // The newest event is this auditor's login.
  EXPECT_EQ(list.front().at("event"), "login");
  EXPECT_EQ(list.front().at("target"), auditor);
  EXPECT_EQ(list.front().at("outcome"), "success");
  EXPECT_EQ(list.front().at("address"), "127.0.0.1");
  for (std::size_t i = 1; i < list.size(); ++i) {
    EXPECT_GE(list[i - 1].at("timestamp").get<long long>(),
              list[i].at("timestamp").get<long long>());
  }
  expect_no_secrets(events.body, "audit");

  const auto limited = http().get("/api/users/audit?limit=2", api_key(system_key()));
  ASSERT_EQ(limited.status, 200);
  EXPECT_EQ(limited.json().size(), 2U);
  EXPECT_EQ(http().get("/api/users/audit?limit=abc", api_key(system_key())).status, 400);
  EXPECT_EQ(http().get("/api/users/audit?limit=0", api_key(system_key())).status, 400);

  const std::string guest = unique_name("audit_guest");
  create_user(guest, "guest");
  EXPECT_EQ(http().get("/api/users/audit", api_key(login(guest))).status, 403);
}

}  // namespace
}  // namespace automation::testing
