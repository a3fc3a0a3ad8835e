#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "automation/core/authorized_api.hpp"
#include "automation/core/users_core.hpp"
#include "fakes.hpp"

namespace automation::testing {

// A UsersCore over in-memory fakes with the default roles seeded and helpers to create
// users and log them in.
class CoreTest : public ::testing::Test {
 protected:
  void SetUp() override { rebuild(); }

  void rebuild() {
    api.reset();
    core = std::make_unique<UsersCore>(
        CorePorts{stores, stores, stores, stores, stores, stores, stores, stores, hasher, random,
                  digester, jwt, clock, stores, nullptr, mfa},
        settings, "0123456789abcdef0123456789abcdef");
    api = std::make_unique<AuthorizedApi>(*core);
    ASSERT_TRUE(core->roles().seed_default_roles());
  }

  User add_user(const std::string& username, const std::string& role,
                const std::string& password = "password123") {
    auto user = core->users().signup(
        SignupRequest{username, username + "@example.com", password, role, std::nullopt,
                      std::nullopt},
        /*allow_sudo=*/true);
    EXPECT_TRUE(user) << (user ? "" : user.error().message);
    return user.value_or(User{});
  }

  // Logs in and returns the caller acting through the new session.
  Caller session_of(const std::string& username, const std::string& password = "password123") {
    auto login = core->login(Credentials{username, std::nullopt, password}, "10.0.0.1");
    EXPECT_TRUE(login) << (login ? "" : login.error().message);
    auto principal = api->authenticate(login ? login->api_key : "");
    EXPECT_TRUE(principal);
    last_key = login ? login->api_key : "";
    return Caller{principal ? std::optional<Principal>(*principal) : std::nullopt, "10.0.0.1"};
  }

  InMemoryStores stores;
  FakeHasher hasher;
  FakeRandom random;
  FakeDigester digester;
  FakeJwt jwt;
  FakeClock clock;
  CoreSettings settings;
  const MfaPorts* mfa = nullptr;  // set before SetUp (or rebuild) for a core with MFA
  std::unique_ptr<UsersCore> core;
  std::unique_ptr<AuthorizedApi> api;
  std::string last_key;
};

}  // namespace automation::testing
