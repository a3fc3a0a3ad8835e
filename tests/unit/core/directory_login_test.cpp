// DirectoryLogin's work per login: every answer the directory can give costs exactly one KDF
// evaluation, as a local login (and a login with an unknown name) does, so the time a login
// takes does not tell a local account from a directory one, nor a directory user from a name
// the directory does not know (docs/directory-login.md, "Timing"). Counted with FakeHasher
// rather than timed: a count cannot flake on a loaded machine.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "automation/core/directory_login.hpp"
#include "core_fixture.hpp"

namespace automation::testing {
namespace {

constexpr const char* kOperatorsGroup = "cn=operators,ou=groups,dc=plant,dc=test";

// The directory's next answer, as a test sets it.
class ScriptedDirectory : public DirectoryPort {
 public:
  DirectoryAnswer authenticate(std::string_view, std::string_view,
                               std::vector<DirectoryStep>*) override {
    return answer;
  }
  DirectoryAnswer look_up(std::string_view) override { return answer; }
  DirectoryAnswer answer;
};

class InMemoryDirectoryAccounts : public DirectoryAccountStore {
 public:
  Result<std::optional<DirectoryAccount>> find_directory_account(std::int64_t user_id) override {
    auto found = accounts.find(user_id);
    if (found == accounts.end()) return std::optional<DirectoryAccount>{};
    return std::optional<DirectoryAccount>(found->second);
  }
  Status save_directory_account(const DirectoryAccount& account) override {
    accounts[account.user_id] = account;
    return {};
  }
  Result<std::vector<DirectoryMember>> directory_members_with_sessions(UnixSeconds) override {
    return std::vector<DirectoryMember>{};
  }
  std::map<std::int64_t, DirectoryAccount> accounts;
};

DirectoryEntry operator_entry(std::vector<std::string> groups = {kOperatorsGroup}) {
  return DirectoryEntry{"uid=dana,ou=people,dc=plant,dc=test", "dana", "dana@plant.test",
                        "Dana", "Diaz", std::move(groups)};
}

class DirectoryLoginWork : public CoreTest {
 protected:
  void SetUp() override {
    CoreTest::SetUp();
    directory_settings.enabled = true;
    directory_settings.group_roles = {{kOperatorsGroup, "operator"}};
  }

  // Authenticates "dana" against the scripted answer; returns how many KDF evaluations
  // (hashes and verifications) it cost, and whether it succeeded.
  int kdf_evaluations(DirectoryOutcome outcome, bool* succeeded = nullptr,
                      std::optional<DirectoryEntry> entry = std::nullopt) {
    directory.answer = DirectoryAnswer{outcome, std::move(entry), "scripted"};
    DirectoryLogin login({directory, accounts, stores, stores, hasher, random, clock},
                         directory_settings);
    auto found = stores.find_user_by_username("dana");
    EXPECT_TRUE(found);
    hasher.hash_calls = 0;
    hasher.verify_calls = 0;
    auto result = login.authenticate("dana", "Directory-Passw0rd",
                                     found ? *found : std::optional<User>{});
    if (succeeded != nullptr) *succeeded = result.has_value();
    return hasher.hash_calls + hasher.verify_calls;
  }

  ScriptedDirectory directory;
  InMemoryDirectoryAccounts accounts;
  DirectorySettings directory_settings;
};

TEST_F(DirectoryLoginWork, EveryRefusalCostsOneKdfEvaluationLikeALocalLogin) {
  for (DirectoryOutcome outcome :
       {DirectoryOutcome::kNoSuchUser, DirectoryOutcome::kWrongPassword,
        DirectoryOutcome::kDisabled, DirectoryOutcome::kMustChangePassword,
        DirectoryOutcome::kFailed, DirectoryOutcome::kUnreachable}) {
    bool succeeded = true;
    EXPECT_EQ(kdf_evaluations(outcome, &succeeded), 1) << static_cast<int>(outcome);
    EXPECT_FALSE(succeeded);
  }
  // Accepted by the directory, refused here: no group maps to a role.
  bool succeeded = true;
  EXPECT_EQ(kdf_evaluations(DirectoryOutcome::kAuthenticated, &succeeded,
                            operator_entry({"cn=visitors,dc=plant,dc=test"})),
            1);
  EXPECT_FALSE(succeeded);
}

TEST_F(DirectoryLoginWork, ASuccessCostsOneKdfEvaluationWithOrWithoutAnOfflineHash) {
  bool succeeded = false;
  EXPECT_EQ(kdf_evaluations(DirectoryOutcome::kAuthenticated, &succeeded, operator_entry()), 1);
  EXPECT_TRUE(succeeded);

  directory_settings.offline_login_hours = 8;  // the one evaluation is the kept hash
  EXPECT_EQ(kdf_evaluations(DirectoryOutcome::kAuthenticated, &succeeded, operator_entry()), 1);
  EXPECT_TRUE(succeeded);
  ASSERT_EQ(accounts.accounts.size(), 1U);
  EXPECT_FALSE(accounts.accounts.begin()->second.offline_hash.empty());

  // While the directory cannot be reached: the kept hash is checked, nothing more.
  EXPECT_EQ(kdf_evaluations(DirectoryOutcome::kUnreachable, &succeeded), 1);
  EXPECT_TRUE(succeeded);
  // And when the kept hash has expired: the same work, then the refusal.
  clock.advance(9 * 3600);
  EXPECT_EQ(kdf_evaluations(DirectoryOutcome::kUnreachable, &succeeded), 1);
  EXPECT_FALSE(succeeded);
}

// The local path, for comparison: what the directory paths above are held to.
TEST_F(DirectoryLoginWork, ALocalLoginAndAnUnknownNameCostOneKdfEvaluation) {
  add_user("olga", "operator");
  for (const char* name : {"olga", "nobody"}) {
    hasher.verify_calls = 0;
    hasher.hash_calls = 0;
    (void)core->login(Credentials{name, std::nullopt, "wrong-password"}, "10.0.0.1");
    EXPECT_EQ(hasher.hash_calls + hasher.verify_calls, 1) << name;
  }
}

}  // namespace
}  // namespace automation::testing
