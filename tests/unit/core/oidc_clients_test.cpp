// OidcClientRegistry: registration rules, and client authentication throttled like a password
// (SPEC §8) without a write for a right secret.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "automation/core/oidc_clients.hpp"
#include "fakes.hpp"

namespace automation::testing {
namespace {

// Clients only: the registry touches no code or refresh token.
class InMemoryOidcClients : public OidcStore {
 public:
  Status add_client(const OidcClient& client) override {
    for (const auto& [id, stored] : clients_) {
      if (id == client.client_id || iequals_ascii(stored.name, client.name)) {
        Error error = Error::make(ErrorCode::kAlreadyExists, "taken");
        error.fields["name"] = "already exists";
        return std::unexpected(error);
      }
    }
    clients_[client.client_id] = client;
    return {};
  }
  Result<std::optional<OidcClient>> find_client(std::string_view client_id) override {
    ++finds;
    const auto found = clients_.find(std::string(client_id));
    if (found == clients_.end()) return std::optional<OidcClient>();
    return std::optional<OidcClient>(found->second);
  }
  Result<std::optional<OidcClient>> find_client_by_name(std::string_view name) override {
    for (const auto& [id, stored] : clients_) {
      if (iequals_ascii(stored.name, name)) return std::optional<OidcClient>(stored);
    }
    return std::optional<OidcClient>();
  }
  Result<std::vector<OidcClient>> list_clients() override {
    std::vector<OidcClient> out;
    for (const auto& [id, stored] : clients_) out.push_back(stored);
    return out;
  }
  Status remove_client(std::string_view client_id) override {
    if (clients_.erase(std::string(client_id)) == 0) {
      return fail(ErrorCode::kNotFound, "not found");
    }
    return {};
  }
  Status add_code(const OidcCode&) override { return {}; }
  Result<std::optional<OidcCode>> redeem_code(std::string_view, UnixSeconds) override {
    return std::optional<OidcCode>();
  }
  Status add_refresh_token(const OidcRefreshToken&) override { return {}; }
  Result<RefreshRedemption> redeem_refresh_token(std::string_view, UnixSeconds) override {
    return RefreshRedemption{};
  }
  Result<RefreshRedemption> rotate_refresh_token(std::string_view, UnixSeconds,
                                                 const OidcRefreshToken&) override {
    return RefreshRedemption{};
  }
  Result<std::optional<OidcRefreshToken>> find_refresh_token(std::string_view) override {
    return std::optional<OidcRefreshToken>();
  }
  Status revoke_refresh_family(std::string_view) override { return {}; }
  Status delete_user_refresh_tokens(std::int64_t) override { return {}; }
  Status delete_expired_oidc_grants(UnixSeconds) override { return {}; }
  Status revoke_access_token(std::string_view, UnixSeconds) override { return {}; }
  Result<bool> access_token_revoked(std::string_view) override { return false; }
  Result<bool> refresh_family_exists(std::string_view) override { return false; }

  int finds = 0;

 private:
  std::map<std::string, OidcClient> clients_;
};

// Counts the throttle's writes.
class CountingThrottle : public ThrottleStore {
 public:
  explicit CountingThrottle(ThrottleStore& inner) : inner_(inner) {}
  Result<AttemptReservation> reserve_attempt(const std::vector<ThrottleLimit>& limits,
                                             UnixSeconds now, UnixSeconds since) override {
    ++writes;
    return inner_.reserve_attempt(limits, now, since);
  }
  Status release_attempt(const std::vector<std::int64_t>& ids, std::string_view key) override {
    ++writes;
    return inner_.release_attempt(ids, key);
  }
  Result<FailureWindow> failures_since(std::string_view key, UnixSeconds since) override {
    return inner_.failures_since(key, since);
  }
  Result<std::int64_t> clear_failures(std::string_view key) override {
    ++writes;
    return inner_.clear_failures(key);
  }
  Result<std::int64_t> count_keys_at_limit(std::string_view prefix, int limit,
                                           UnixSeconds since) override {
    return inner_.count_keys_at_limit(prefix, limit, since);
  }
  int writes = 0;

 private:
  ThrottleStore& inner_;
};

class OidcClientRegistryTest : public ::testing::Test {
 protected:
  OidcClientRegistryTest() {
    settings_.login_max_failures = 3;
    settings_.account_max_failures = 5;
    settings_.address_max_failures = 8;
    settings_.login_window_seconds = 900;
    registry_ = std::make_unique<OidcClientRegistry>(
        OidcClientRegistry::Ports{oidc_, throttle_, audit_, audited_, random_, digester_, clock_},
        settings_);
  }

  RegisteredClient add(const std::string& name, bool is_public = false) {
    OidcClientRegistration registration;
    registration.name = name;
    registration.redirect_uris = {"https://hmi.example/cb"};
    registration.is_public = is_public;
    auto added = registry_->register_client(registration, "cli");
    EXPECT_TRUE(added) << (added ? "" : added.error().message);
    return added.value_or(RegisteredClient{});
  }

  std::vector<AuditEvent> events(const std::string& event) {
    return *audit_.recent({.event = event, .limit = 1000});
  }

  InMemoryStores stores_;
  InMemoryOidcClients oidc_;
  CountingThrottle throttle_{stores_};
  FakeClock clock_;
  FakeRandom random_;
  FakeDigester digester_;
  AuditLog audit_{stores_, clock_};
  AuditedChanges audited_{stores_, audit_};
  CoreSettings settings_;
  std::unique_ptr<OidcClientRegistry> registry_;
};

TEST_F(OidcClientRegistryTest, RegistrationGivesARandomIdAndASecretKeptAsItsDigest) {
  const RegisteredClient ignition = add("Ignition");
  EXPECT_EQ(ignition.client.client_id.size(), 32u);
  EXPECT_EQ(ignition.secret.size(), 64u);
  EXPECT_EQ(ignition.client.secret_digest, "digest:" + ignition.secret);
  EXPECT_EQ(ignition.client.created_by, "cli");
  EXPECT_EQ(ignition.client.created_at, clock_.now());
  auto stored = oidc_.find_client(ignition.client.client_id);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->secret_digest, "digest:" + ignition.secret);
  ASSERT_EQ(events("oidc_client_add").size(), 1u);
  EXPECT_EQ(events("oidc_client_add").front().target, "oidc_client:Ignition");
  EXPECT_EQ(events("oidc_client_add").front().outcome, "success");

  const RegisteredClient optix = add("optix", /*is_public=*/true);
  EXPECT_TRUE(optix.secret.empty());
  EXPECT_TRUE(optix.client.secret_digest.empty());
}

TEST_F(OidcClientRegistryTest, RegistrationRefusesBadNamesAndUrisAndSecretlessMachineClients) {
  auto refused = [&](OidcClientRegistration registration, const std::string& field) {
    auto added = registry_->register_client(registration, "cli");
    ASSERT_FALSE(added) << field;
    EXPECT_EQ(added.error().code, ErrorCode::kInvalidArgument) << field;
    EXPECT_TRUE(added.error().fields.contains(field)) << added.error().message;
  };
  OidcClientRegistration base;
  base.name = "hmi";
  base.redirect_uris = {"https://hmi.example/cb"};
  for (const std::string& name :
       std::vector<std::string>{"", "has space", "ümlaut", std::string(65, 'a'), "a/b"}) {
    OidcClientRegistration r = base;
    r.name = name;
    refused(r, "name");
  }
  for (const std::string& uri : std::vector<std::string>{
           "", "hmi.example/cb", "HTTPS://hmi.example/cb", "https://hmi.example/cb#x",
        "https://u:p@hmi.example/cb", "https://", "https://:443/cb", "https://hmi.example/\x01",
        "https://hmi.example/" + std::string(2000, 'a')}) {
    OidcClientRegistration r = base;
    r.redirect_uris = {uri};
    refused(r, "redirect_uri");
  }
  OidcClientRegistration none = base;
  none.redirect_uris.clear();
  refused(none, "redirect_uri");
  OidcClientRegistration public_machine = base;
  public_machine.is_public = true;
  public_machine.client_credentials = true;
  refused(public_machine, "grant");
  OidcClientRegistration bad_logout = base;
  bad_logout.post_logout_redirect_uris = {"javascript:alert(1)"};
  refused(bad_logout, "post_logout_redirect_uri");
  EXPECT_TRUE(oidc_.list_clients()->empty());

  OidcClientRegistration machine = base;
  machine.redirect_uris.clear();
  machine.client_credentials = true;
  EXPECT_TRUE(registry_->register_client(machine, "cli"));
  OidcClientRegistration twice = base;
  twice.name = "HMI";
  twice.redirect_uris = {"http://10.0.0.5/cb", "http://10.0.0.5/cb"};
  auto taken = registry_->register_client(twice, "cli");
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, ErrorCode::kAlreadyExists);
  twice.name = "hmi2";
  auto deduplicated = registry_->register_client(twice, "cli");
  ASSERT_TRUE(deduplicated);
  EXPECT_EQ(deduplicated->client.redirect_uris, std::vector<std::string>{"http://10.0.0.5/cb"});
}

TEST_F(OidcClientRegistryTest, ARightSecretWritesNothingAndWrongOnesAreThrottledAndAudited) {
  const RegisteredClient c = add("ignition");
  const std::string& id = c.client.client_id;
  const int audited_before = static_cast<int>(events("oidc_client_auth").size());
  for (int i = 0; i < 5; ++i) {
    auto ok = registry_->authenticate_client(id, c.secret, "10.0.0.1");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->name, "ignition");
  }
  EXPECT_EQ(throttle_.writes, 0) << "a right secret writes nothing";
  EXPECT_EQ(static_cast<int>(events("oidc_client_auth").size()), audited_before);

  // Missing secret: refused, not counted (nothing was guessed).
  auto missing = registry_->authenticate_client(id, std::nullopt, "10.0.0.1");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(missing.error().type, kOidcInvalidClient);
  EXPECT_EQ(throttle_.writes, 0);

  // Three wrong secrets from one address fill its (client, address) limit.
  for (int i = 0; i < 3; ++i) {
    auto wrong = registry_->authenticate_client(id, "wrong", "10.0.0.1");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(wrong.error().message, missing.error().message) << "one generic message";
  }
  EXPECT_EQ(throttle_.writes, 3);
  auto throttled = registry_->authenticate_client(id, c.secret, "10.0.0.1");
  ASSERT_FALSE(throttled) << "throttled even with the right secret";
  EXPECT_EQ(throttled.error().code, ErrorCode::kThrottled);
  EXPECT_GT(throttled.error().retry_after_seconds, 0);
  EXPECT_TRUE(registry_->authenticate_client(id, c.secret, "10.0.0.2"))
      << "another address is not held back by this one's failures";
  clock_.advance(900);
  EXPECT_TRUE(registry_->authenticate_client(id, c.secret, "10.0.0.1")) << "the window passed";

  std::map<std::string, int> outcomes;
  for (const AuditEvent& event : events("oidc_client_auth")) {
    ++outcomes[event.outcome];
    EXPECT_EQ(event.target, "oidc_client:" + id);
  }
  EXPECT_EQ(outcomes["failure"], 4);
  EXPECT_EQ(outcomes["throttled"], 1);
}

TEST_F(OidcClientRegistryTest, UnknownClientsAndPublicClientsWithASecretAreRefused) {
  const RegisteredClient pub = add("optix", /*is_public=*/true);
  EXPECT_TRUE(registry_->authenticate_client(pub.client.client_id, std::nullopt, "10.0.0.1"));
  auto with_secret = registry_->authenticate_client(pub.client.client_id, "x", "10.0.0.1");
  ASSERT_FALSE(with_secret);
  EXPECT_EQ(with_secret.error().code, ErrorCode::kUnauthenticated);
  auto unknown = registry_->authenticate_client("nope", "x", "10.0.0.1");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(unknown.error().message, with_secret.error().message);
  EXPECT_EQ(throttle_.writes, 1) << "an unknown client counts; a public client's secret does not";
  auto empty = registry_->authenticate_client("", std::nullopt, "10.0.0.1");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(OidcClientRegistryTest, RemovalByIdOrNameIsAudited) {
  const RegisteredClient a = add("ignition");
  const RegisteredClient b = add("grafana");
  ASSERT_TRUE(registry_->remove_client(a.client.client_id, "cli"));
  auto by_name = registry_->remove_client("GRAFANA", "cli");
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->client_id, b.client.client_id);
  EXPECT_EQ(registry_->remove_client("grafana", "cli").error().code, ErrorCode::kNotFound);
  std::map<std::string, int> outcomes;
  for (const AuditEvent& event : events("oidc_client_remove")) ++outcomes[event.outcome];
  EXPECT_EQ(outcomes["success"], 2);
  EXPECT_EQ(outcomes["failure"], 1);
  EXPECT_TRUE(registry_->list_clients()->empty());
}

}  // namespace
}  // namespace automation::testing
