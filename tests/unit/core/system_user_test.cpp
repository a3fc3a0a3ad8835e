#include "automation/core/system_user.hpp"

#include <gtest/gtest.h>

#include "core_fixture.hpp"

namespace automation::testing {
namespace {

using SystemUserTest = CoreTest;

TEST_F(SystemUserTest, CreatedWithGeneratedPasswordOnce) {
  auto first = ensure_system_user(core->users(), core->passwords(), random, std::nullopt);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->created);
  ASSERT_TRUE(first->generated_password);
  auto system = core->get_user("system");
  ASSERT_TRUE(system);
  EXPECT_EQ(system->role.name, "sudo");
  EXPECT_EQ(system->email, "system@localhost");
  EXPECT_EQ(system->name, "System");
  EXPECT_TRUE(core->login(Credentials{"system", std::nullopt, *first->generated_password}));
  auto second = ensure_system_user(core->users(), core->passwords(), random, std::nullopt);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->created);
  EXPECT_FALSE(second->generated_password);  // never printed again
}

TEST_F(SystemUserTest, ConfiguredPasswordIsAppliedOnEveryStart) {
  ASSERT_TRUE(ensure_system_user(core->users(), core->passwords(), random, std::nullopt));
  auto applied =
      ensure_system_user(core->users(), core->passwords(), random, std::string("configured-pw"));
  ASSERT_TRUE(applied);
  EXPECT_TRUE(applied->password_set);
  EXPECT_TRUE(core->login(Credentials{"system", std::nullopt, "configured-pw"}));
  auto too_short =
      ensure_system_user(core->users(), core->passwords(), random, std::string("short"));
  EXPECT_FALSE(too_short);
}

}  // namespace
}  // namespace automation::testing
