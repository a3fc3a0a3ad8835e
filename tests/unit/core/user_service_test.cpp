#include <gtest/gtest.h>

#include "core_fixture.hpp"

namespace automation::testing {
namespace {

using UserServiceTest = CoreTest;

SignupRequest request(std::string username, std::string email = "",
                      std::string password = "password123") {
  if (email.empty()) email = username + "@example.com";
  return SignupRequest{std::move(username), std::move(email), std::move(password), std::nullopt,
                       std::nullopt, std::nullopt};
}

TEST_F(UserServiceTest, SignupDefaultsToGuestAndHashes) {
  auto user = core->signup(request("john_doe"));
  ASSERT_TRUE(user);
  EXPECT_EQ(user->role.name, "guest");
  EXPECT_EQ(user->identifier.size(), 16u);
  EXPECT_EQ(user->password_hash, "fake$password123");
  EXPECT_FALSE(user->name);
}

TEST_F(UserServiceTest, UniquenessIsCaseInsensitive) {
  ASSERT_TRUE(core->signup(request("John")));
  auto dup_name = core->signup(request("JOHN", "other@example.com"));
  ASSERT_FALSE(dup_name);
  EXPECT_EQ(dup_name.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(dup_name.error().fields.count("username"), 1u);
  auto dup_mail = core->signup(request("jane", "JOHN@EXAMPLE.COM"));
  ASSERT_FALSE(dup_mail);
  EXPECT_EQ(dup_mail.error().fields.count("email"), 1u);
  EXPECT_EQ(core->list_users()->size(), 1u);
}

TEST_F(UserServiceTest, BadInputChangesNothing) {
  const int hashes_before = hasher.hash_calls;
  for (auto bad : {request(""), request("x", "bad"), request("y", "", "short"),
                   request(std::string("nul\0x", 5)), request("\xff\xfe"),
                   request(std::string(65, 'a')), request("signup")}) {
    auto result = core->signup(bad);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(result.error().fields.empty());
  }
  auto unknown_role = request("ok_name");
  unknown_role.role_name = "wizard";
  EXPECT_EQ(core->signup(unknown_role).error().fields.count("role_name"), 1u);
  auto sudo = request("ok_name");
  sudo.role_name = "sudo";
  EXPECT_EQ(core->signup(sudo).error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(hasher.hash_calls, hashes_before);  // rejected before any KDF work
  EXPECT_TRUE(core->list_users()->empty());
}

TEST_F(UserServiceTest, LookupsAndListing) {
  auto user = add_user("alice", "operator");
  add_user("root2", "sudo");
  EXPECT_EQ(core->get_user("ALICE")->id, user.id);
  EXPECT_EQ(core->users().get_user_by_email("Alice@Example.com")->id, user.id);
  EXPECT_EQ(core->users().get_user_by_identifier(user.identifier)->id, user.id);
  EXPECT_EQ(core->get_user("nobody").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(core->get_user(std::string("alice\0", 6)).error().code, ErrorCode::kNotFound);
  auto all = core->list_users();
  ASSERT_EQ(all->size(), 1u);  // sudo left out
  EXPECT_EQ((*all)[0].username, "alice");
}

TEST_F(UserServiceTest, EditValidatesAndApplies) {
  add_user("bob", "operator");
  UserEdit edit{std::string("bob@plant.local"), std::string("Bob"), std::nullopt};
  auto edited = core->users().edit_user("bob", edit);
  ASSERT_TRUE(edited);
  EXPECT_EQ(edited->email, "bob@plant.local");
  EXPECT_EQ(edited->name, "Bob");
  UserEdit bad{std::string("nope"), std::string(70, 'x'), std::nullopt};
  auto rejected = core->users().edit_user("bob", bad);
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().fields.size(), 2u);
  EXPECT_EQ(core->get_user("bob")->email, "bob@plant.local");
}

TEST_F(UserServiceTest, UpdateRoleAndDelete) {
  add_user("carol", "guest");
  ASSERT_TRUE(core->update_user_role("carol", "Operator"));
  EXPECT_EQ(core->get_user("carol")->role.name, "operator");
  EXPECT_EQ(core->update_user_role("carol", "sudo").error().code, ErrorCode::kRuleViolation);
  EXPECT_EQ(core->update_user_role("carol", "wizard").error().code,
            ErrorCode::kInvalidArgument);
  ASSERT_TRUE(core->users().delete_user("carol"));
  EXPECT_EQ(core->get_user("carol").error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace automation::testing
