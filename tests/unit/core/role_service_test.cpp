#include <gtest/gtest.h>

#include "core_fixture.hpp"

namespace automation::testing {
namespace {

using RoleServiceTest = CoreTest;

TEST_F(RoleServiceTest, SeedsDefaultRolesOnce) {
  ASSERT_TRUE(core->roles().seed_default_roles());  // second run changes nothing
  auto roles = stores.list_roles();
  ASSERT_TRUE(roles);
  ASSERT_EQ(roles->size(), 6u);
  EXPECT_EQ((*roles)[0].name, "sudo");
  EXPECT_EQ((*roles)[0].level, 0);
  EXPECT_EQ((*roles)[5].name, "guest");
  EXPECT_EQ((*roles)[5].level, 256);
}

TEST_F(RoleServiceTest, VisibleRolesLeaveOutSudo) {
  auto roles = core->roles().list_visible_roles();
  ASSERT_TRUE(roles);
  EXPECT_EQ(roles->size(), 5u);
  for (const auto& role : *roles) EXPECT_NE(role.name, "sudo");
}

TEST_F(RoleServiceTest, SetRoleRules) {
  auto added = core->set_role("engineer", 5);
  ASSERT_TRUE(added);
  EXPECT_EQ(added->level, 5);
  EXPECT_EQ(core->set_role("ENGINEER", 6).error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(core->set_role("root", 0).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(core->set_role("neg", -1).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(core->set_role("", 5).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(core->set_role(std::string("a\0b", 3), 5).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(core->set_role("sudo", 7).error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(stores.list_roles()->size(), 7u);  // only "engineer" was added
}

TEST_F(RoleServiceTest, FindIsCaseInsensitive) {
  auto role = core->roles().find_role("ADMIN");
  ASSERT_TRUE(role);
  EXPECT_EQ(role->level, 1);
  EXPECT_EQ(core->roles().find_role("nope").error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace automation::testing
