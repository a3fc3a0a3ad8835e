// The role matrix of change_password, reset_password and update_role over real sessions.

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

class Permissions : public ApiTest {
 protected:
  // A user of each role, created once per process, with one session each.
  struct Cast {
    std::string admin, admin2, supervisor, op, op2, guest;
    std::string admin_key, supervisor_key, op_key, guest_key;
  };
  static Cast& cast() {
    static Cast instance;
    return instance;
  }
  void SetUp() override {
    Cast& c = cast();
    if (!c.admin.empty()) return;
    c.admin = unique_name("p_admin");
    c.admin2 = unique_name("p_admin2");
    c.supervisor = unique_name("p_super");
    c.op = unique_name("p_op");
    c.op2 = unique_name("p_op2");
    c.guest = unique_name("p_guest");
    create_user(c.admin, "admin");
    create_user(c.admin2, "admin");
    create_user(c.supervisor, "supervisor");
    create_user(c.op, "operator");
    create_user(c.op2, "operator");
    create_user(c.guest, "guest");
    c.admin_key = login(c.admin);
    c.supervisor_key = login(c.supervisor);
    c.op_key = login(c.op);
    c.guest_key = login(c.guest);
  }

  HttpResponse change(const std::string& key, const std::string& target,
                      const std::string& new_password,
                      const std::optional<std::string>& current = std::nullopt) {
    remember_secret(new_password);
    json body = {{"target_username", target}, {"new_password", new_password}};
    if (current) body["current_password"] = *current;
    return http().post("/api/users/change_password", body, api_key(key));
  }
  HttpResponse reset(const std::string& key, const std::string& target,
                     const std::string& new_password) {
    remember_secret(new_password);
    return http().post("/api/users/reset_password",
                       json{{"target_username", target}, {"new_password", new_password}},
                       api_key(key));
  }
  HttpResponse update_role(const std::string& key, const std::string& target,
                           const std::string& role) {
    return http().post("/api/users/update_role",
                       json{{"target_username", target}, {"new_role_name", role}}, api_key(key));
  }
};

const json kChanged = {{"message", "Password changed successfully"}};
const json kReset = {{"message", "Password reset successfully"}};

TEST_F(Permissions, SudoChangesAndResetsOnlyAdminPasswords) {
  const Cast& c = cast();
  const auto to_admin = change(system_key(), c.admin2, "Admin2-New-Passw0rd");
  EXPECT_EQ(to_admin.status, 200) << to_admin.body;
  EXPECT_EQ(to_admin.json(), kChanged);
  const auto reset_admin = reset(system_key(), c.admin2, kUserPassword);
  EXPECT_EQ(reset_admin.status, 200) << reset_admin.body;
  EXPECT_EQ(reset_admin.json(), kReset);

  const auto to_operator = change(system_key(), c.op2, "Whatever-Passw0rd");
  EXPECT_EQ(to_operator.status, 400) << to_operator.body;
  EXPECT_EQ(to_operator.json().size(), 1U) << to_operator.body;  // {"message": why}
  EXPECT_EQ(reset(system_key(), c.op2, "Whatever-Passw0rd").status, 400);
  EXPECT_EQ(change(system_key(), "system", "Whatever-Passw0rd", kSystemPassword).status, 400);
  EXPECT_EQ(reset(system_key(), "system", "Whatever-Passw0rd").status, 400);
  // The refused changes changed nothing.
  EXPECT_FALSE(login(c.op2).empty());
}

TEST_F(Permissions, AdminActsOnItsLevelAndBelowButNotAbove) {
  const Cast& c = cast();
  const std::string supervisor = unique_name("p_super_target");
  create_user(supervisor, "supervisor");
  EXPECT_EQ(reset(c.admin_key, c.op2, kUserPassword).status, 200);
  EXPECT_EQ(change(c.admin_key, supervisor, kUserPassword).status, 200);
  EXPECT_EQ(reset(c.admin_key, c.admin2, kUserPassword).status, 200);  // same level
  // Above the admin is only sudo, which answers exactly as a user that does not exist.
  const std::string ghost = unique_name("ghost");
  const auto above = reset(c.admin_key, "system", "Whatever-Passw0rd");
  const auto missing = reset(c.admin_key, ghost, "Whatever-Passw0rd");
  EXPECT_EQ(above.status, missing.status) << above.body;
  EXPECT_EQ(change(c.admin_key, "system", "Whatever-Passw0rd").status,
            change(c.admin_key, ghost, "Whatever-Passw0rd").status);
  EXPECT_EQ(missing.status, 400) << missing.body;  // upstream's answer for a missing target
}

TEST_F(Permissions, OthersChangeOnlyTheirOwnPasswordWithTheCurrentOne) {
  const Cast& c = cast();
  const auto other = change(c.op_key, c.op2, "Whatever-Passw0rd");
  EXPECT_EQ(other.status, 400) << other.body;
  EXPECT_EQ(reset(c.op_key, c.op2, "Whatever-Passw0rd").status, 400);
  EXPECT_EQ(reset(c.guest_key, c.op, "Whatever-Passw0rd").status, 400);

  const auto no_current = change(c.supervisor_key, c.supervisor, "Super-New-Passw0rd");
  EXPECT_EQ(no_current.status, 400) << no_current.body;
  const auto wrong_current =
      change(c.supervisor_key, c.supervisor, "Super-New-Passw0rd", "wrong-current-pw");
  EXPECT_EQ(wrong_current.status, 400) << wrong_current.body;
  EXPECT_TRUE(wrong_current.json().at("message").is_string());
  const auto too_short = change(c.supervisor_key, c.supervisor, "short", kUserPassword);
  EXPECT_EQ(too_short.status, 400);
  EXPECT_TRUE(too_short.json().at("errors").contains("new_password") ||
              too_short.json().at("errors").contains("password"))
      << too_short.body;

  // A second session of the same user ends with the change; the changing one survives.
  const std::string other_session = login(c.supervisor);
  const auto changed = change(c.supervisor_key, c.supervisor, "Super-New-Passw0rd", kUserPassword);
  EXPECT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.json(), kChanged);
  EXPECT_EQ(http().get("/api/users/me", api_key(c.supervisor_key)).status, 200);
  EXPECT_EQ(http().get("/api/users/me", api_key(other_session)).status, 401);
  EXPECT_FALSE(login(c.supervisor, "Super-New-Passw0rd").empty());
  // Back to the shared password (reset by an admin), for the other tests.
  EXPECT_EQ(reset(c.admin_key, c.supervisor, kUserPassword).status, 200);
  // A reset ends every session of the target (the actor's session is another user's).
  EXPECT_EQ(http().get("/api/users/me", api_key(c.supervisor_key)).status, 401);
  cast().supervisor_key = login(c.supervisor);
}

TEST_F(Permissions, ResetByAnotherUserNeedsNoCurrentPassword) {
  const Cast& c = cast();
  const auto response = reset(c.admin_key, c.guest, "Guest-Reset-Passw0rd");
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(http().get("/api/users/me", api_key(c.guest_key)).status, 401);
  cast().guest_key = login(c.guest, "Guest-Reset-Passw0rd");
}

TEST_F(Permissions, UpdateRoleMatrix) {
  const Cast& c = cast();
  const std::string target = unique_name("promote");
  create_user(target, "guest");
  const json updated = {{"message", "Role updated successfully"}};

  const auto by_operator = update_role(c.op_key, target, "operator");
  EXPECT_EQ(by_operator.status, 403) << by_operator.body;
  EXPECT_EQ(update_role(c.supervisor_key, target, "operator").status, 403);

  const auto by_admin = update_role(c.admin_key, target, "operator");
  EXPECT_EQ(by_admin.status, 200) << by_admin.body;
  EXPECT_EQ(by_admin.json(), updated);
  EXPECT_EQ(http().get("/api/users/" + target, api_key(c.admin_key)).json().at("role").at("name"),
            "operator");

  EXPECT_EQ(update_role(c.admin_key, target, "sudo").status, 400);
  EXPECT_EQ(update_role(c.admin_key, c.admin, "supervisor").status, 400);  // own role
  EXPECT_EQ(update_role(c.admin_key, "system", "admin").status,           // hidden sudo target
            update_role(c.admin_key, unique_name("ghost"), "admin").status);
  const auto unknown_role = update_role(c.admin_key, target, "astronaut");
  EXPECT_EQ(unknown_role.status, 400) << unknown_role.body;
  EXPECT_EQ(update_role(c.admin_key, unique_name("ghost"), "guest").status, 400);

  const auto by_sudo = update_role(system_key(), target, "admin");
  EXPECT_EQ(by_sudo.status, 200) << by_sudo.body;
  EXPECT_EQ(update_role(system_key(), target, "sudo").status, 400);
  const json role = http().get("/api/users/" + target, api_key(c.admin_key)).json().at("role");
  EXPECT_EQ(role.at("name"), "admin");
  EXPECT_EQ(role.at("level"), 1);
}

}  // namespace
}  // namespace automation::testing
