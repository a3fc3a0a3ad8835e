#include "automation/core/directory_rules.hpp"

#include <gtest/gtest.h>

namespace automation {
namespace {

const std::vector<Role> kRoles = {{1, "r0", "sudo", 0},
                                  {2, "r1", "admin", 1},
                                  {3, "r2", "supervisor", 2},
                                  {4, "r3", "operator", 10},
                                  {5, "r4", "guest", 256}};

const std::vector<GroupRoleMapping> kMap = {
    {"cn=operators,ou=groups,dc=plant,dc=test", "operator"},
    {"cn=engineers,ou=groups,dc=plant,dc=test", "supervisor"},
    {"cn=domain admins,ou=groups,dc=plant,dc=test", "sudo"},  // refused by the config; ignored
    {"cn=ghosts,ou=groups,dc=plant,dc=test", "no-such-role"}};

TEST(DirectoryRules, TheMostPrivilegedMappedRoleWins) {
  auto role = role_for_groups(
      {"cn=operators,ou=groups,dc=plant,dc=test", "cn=engineers,ou=groups,dc=plant,dc=test"}, kMap,
      kRoles);
  ASSERT_TRUE(role);
  EXPECT_EQ(role->name, "supervisor");
}

TEST(DirectoryRules, DnsCompareAsTheSameDn) {
  auto role = role_for_groups({"CN=Operators, OU=Groups, DC=plant, DC=test"}, kMap, kRoles);
  ASSERT_TRUE(role);
  EXPECT_EQ(role->name, "operator");
  EXPECT_EQ(comparable_dn(" CN=A , OU = B,DC=c "), "cn=a,ou=b,dc=c");
}

TEST(DirectoryRules, NoMappedGroupIsNoRole) {
  EXPECT_FALSE(role_for_groups({}, kMap, kRoles));
  EXPECT_FALSE(role_for_groups({"cn=visitors,ou=groups,dc=plant,dc=test"}, kMap, kRoles));
  // A group mapped to a role that does not exist gives nothing either.
  EXPECT_FALSE(role_for_groups({"cn=ghosts,ou=groups,dc=plant,dc=test"}, kMap, kRoles));
}

TEST(DirectoryRules, NeverSudo) {
  EXPECT_FALSE(role_for_groups({"cn=domain admins,ou=groups,dc=plant,dc=test"}, kMap, kRoles));
  auto role = role_for_groups(
      {"cn=domain admins,ou=groups,dc=plant,dc=test", "cn=operators,ou=groups,dc=plant,dc=test"},
      kMap, kRoles);
  ASSERT_TRUE(role);
  EXPECT_EQ(role->name, "operator");
}

TEST(DirectoryRules, OnlyAnUnreachableDirectoryAllowsAnOfflineLogin) {
  EXPECT_TRUE(allows_offline_login(DirectoryOutcome::kUnreachable));
  for (auto outcome : {DirectoryOutcome::kAuthenticated, DirectoryOutcome::kWrongPassword,
                       DirectoryOutcome::kNoSuchUser, DirectoryOutcome::kDisabled,
                       DirectoryOutcome::kMustChangePassword, DirectoryOutcome::kFailed}) {
    EXPECT_FALSE(allows_offline_login(outcome));
  }
}

}  // namespace
}  // namespace automation
