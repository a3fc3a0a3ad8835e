#include "automation/oidc/key_ring.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "automation/oidc/oidc_keys.hpp"
#include "oidc_test_keys.hpp"

namespace automation::oidc {
namespace {

using testing::foreign_key_pem;

constexpr UnixSeconds kNow = 1'700'000'000;
constexpr UnixSeconds kKeep = 28'800 + 60;

std::set<std::string> kids_of(const nlohmann::json& jwks) {
  std::set<std::string> kids;
  for (const auto& key : jwks.at("keys")) kids.insert(key.at("kid").get<std::string>());
  return kids;
}

// One ring generated for the whole suite (two fresh keys cost tens of milliseconds).
const OidcKeyRing& generated_ring() {
  static const OidcKeyRing ring = [] {
    auto generated = OidcKeyRing::generate();
    if (!generated) throw std::runtime_error(generated.error().message);
    return std::move(*generated);
  }();
  return ring;
}

TEST(OidcKeyRing, GeneratedRingSurvivesItsKeptText) {
  const OidcKeyRing& ring = generated_ring();
  ASSERT_EQ(ring.keys().size(), 2u);
  const std::string text = ring.serialize();
  auto parsed = OidcKeyRing::parse(text);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  ASSERT_EQ(parsed->keys().size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(parsed->keys()[i].key->kid(), ring.keys()[i].key->kid());
    EXPECT_TRUE(parsed->keys()[i].current);
  }
  EXPECT_EQ(parsed->serialize(), text);
  auto set = parsed->key_set(kNow);
  ASSERT_TRUE(set.has_value());
  EXPECT_EQ((*set)->jwks().at("keys").size(), 2u);
}

TEST(OidcKeyRing, RotationKeepsTheReplacedKeysPublishedUntilTheirTokensExpire) {
  const OidcKeyRing& ring = generated_ring();
  const auto before = *ring.key_set(kNow);
  const std::string old_token = *before->sign({{"sub", "1"}}, "JWT", "ES256");

  auto rotated = ring.rotated(kNow, kKeep);
  ASSERT_TRUE(rotated.has_value());
  ASSERT_EQ(rotated->keys().size(), 4u);
  auto after = rotated->key_set(kNow + 1);
  ASSERT_TRUE(after.has_value());
  const auto kids = kids_of((*after)->jwks());
  EXPECT_EQ(kids.size(), 4u);
  EXPECT_TRUE(kids.contains(before->current_kid("RS256")));
  EXPECT_TRUE(kids.contains(before->current_kid("ES256")));
  EXPECT_NE((*after)->current_kid("RS256"), before->current_kid("RS256"));
  EXPECT_NE((*after)->current_kid("ES256"), before->current_kid("ES256"));
  EXPECT_TRUE((*after)->verify(old_token).has_value());
  EXPECT_EQ(OidcKeySet::kid_of(*(*after)->sign({{"sub", "1"}}, "JWT", "ES256")),
            (*after)->current_kid("ES256"));
  EXPECT_EQ(rotated->next_retirement(kNow), kNow + kKeep);

  // Its time up, a replaced key is no longer published nor accepted.
  auto later = rotated->key_set(kNow + kKeep);
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ((*later)->jwks().at("keys").size(), 2u);
  EXPECT_FALSE((*later)->verify(old_token).has_value());
  EXPECT_FALSE(rotated->next_retirement(kNow + kKeep).has_value());

  // The kept text says so too, and a second rotation after that drops them from the ring.
  auto reread = OidcKeyRing::parse(rotated->serialize());
  ASSERT_TRUE(reread.has_value());
  EXPECT_EQ(reread->next_retirement(kNow), kNow + kKeep);
  auto twice = reread->rotated(kNow + kKeep, kKeep);
  ASSERT_TRUE(twice.has_value());
  EXPECT_EQ(twice->keys().size(), 4u);  // two new, the two of the first rotation
}

TEST(OidcKeyRing, RefusesBrokenKeptText) {
  const std::string rsa = generated_ring().keys()[0].pem;
  const std::string ec = generated_ring().keys()[1].pem;
  const auto ring = [](std::vector<nlohmann::json> keys) {
    return nlohmann::json{{"version", 1}, {"keys", keys}}.dump();
  };
  const std::pair<const char*, std::string> broken[] = {
      {"not JSON", "{"},
      {"no version", nlohmann::json{{"keys", nlohmann::json::array()}}.dump()},
      {"newer version", nlohmann::json{{"version", 2}, {"keys", nlohmann::json::array()}}.dump()},
      {"no keys", ring({})},
      {"one current only", ring({{{"pem", rsa}, {"current", true}}})},
      {"two current RSA",
       ring({{{"pem", rsa}, {"current", true}}, {{"pem", rsa}, {"current", true}},
             {{"pem", ec}, {"current", true}}})},
      {"a refused key",
       ring({{{"pem", rsa}, {"current", true}}, {{"pem", ec}, {"current", true}},
             {{"pem", foreign_key_pem("EC", "P-384")}, {"current", false}}})},
      {"retire_at text",
       ring({{{"pem", rsa}, {"current", true}}, {{"pem", ec}, {"current", true}},
             {{"pem", rsa}, {"current", false}, {"retire_at", "soon"}}})},
  };
  for (const auto& [why, text] : broken) {
    auto parsed = OidcKeyRing::parse(text);
    ASSERT_FALSE(parsed.has_value()) << why;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << why;
    EXPECT_EQ(parsed.error().message.find("PRIVATE KEY"), std::string::npos) << why;
  }
}

// OidcKeys: what a server holds. The loader counts its calls and hands out `next`.
class OidcKeysTest : public ::testing::Test {
 protected:
  OidcKeys::Loader loader() {
    return [this]() -> Result<std::shared_ptr<const OidcKeySet>> {
      ++loads;
      return next;
    };
  }

  std::shared_ptr<const OidcKeySet> first = *generated_ring().key_set(kNow);
  std::shared_ptr<const OidcKeySet> next = first;
  std::atomic<int> loads{0};
};

TEST_F(OidcKeysTest, TokenOfAnUnknownKidReadsTheKeysAgain) {
  auto keys = OidcKeys::load(loader(), std::chrono::milliseconds(0));
  ASSERT_TRUE(keys.has_value());
  EXPECT_EQ(loads, 1);
  EXPECT_EQ((*keys)->current(), first);
  // Another node rotated: a token of its new key is accepted after one read.
  auto rotated = generated_ring().rotated(kNow, kKeep);
  next = *rotated->key_set(kNow);
  const std::string token = *next->sign({{"sub", "1"}});
  auto verified = (*keys)->verify(token);
  ASSERT_TRUE(verified.has_value());
  EXPECT_EQ(loads, 2);
  EXPECT_EQ((*keys)->current(), next);
  // A known kid reads nothing.
  EXPECT_TRUE((*keys)->verify(token).has_value());
  EXPECT_EQ(loads, 2);
}

TEST_F(OidcKeysTest, ReadsForUnknownKidsAreRateLimited) {
  auto keys = OidcKeys::load(loader(), std::chrono::hours(1));
  ASSERT_TRUE(keys.has_value());
  auto stranger = *generated_ring().rotated(kNow, kKeep)->key_set(kNow);
  const std::string forged = *stranger->sign({{"sub", "1"}});
  for (int i = 0; i < 5; ++i) EXPECT_FALSE((*keys)->verify(forged).has_value());
  EXPECT_EQ(loads, 1);  // within the interval: no read at all
  EXPECT_FALSE((*keys)->refresh_if_older_than(std::chrono::milliseconds(0)));
  // The periodic refresh is not limited.
  EXPECT_TRUE((*keys)->refresh().has_value());
  EXPECT_EQ(loads, 2);
}

TEST_F(OidcKeysTest, FailedReadKeepsTheKeysInForce) {
  auto keys = OidcKeys::load(loader(), std::chrono::milliseconds(0));
  ASSERT_TRUE(keys.has_value());
  auto failing = OidcKeys::load(
      [&]() -> Result<std::shared_ptr<const OidcKeySet>> {
        if (++loads > 2) return fail(ErrorCode::kUnavailable, "database down");
        return first;
      },
      std::chrono::milliseconds(0));
  ASSERT_TRUE(failing.has_value());
  EXPECT_FALSE((*failing)->refresh().has_value());
  EXPECT_EQ((*failing)->current(), first);
  const std::string token = *first->sign({{"sub", "1"}});
  EXPECT_TRUE((*failing)->verify(token).has_value());
}

TEST_F(OidcKeysTest, FixedKeysNeverRead) {
  auto keys = OidcKeys::fixed(first);
  EXPECT_FALSE(keys->reloads());
  EXPECT_TRUE(keys->refresh().has_value());
  EXPECT_FALSE(keys->refresh_if_older_than(std::chrono::milliseconds(0)));
  EXPECT_EQ(keys->current(), first);
}

}  // namespace
}  // namespace automation::oidc
