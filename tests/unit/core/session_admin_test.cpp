#include <gtest/gtest.h>

#include "core_fixture.hpp"

namespace automation::testing {
namespace {

using SessionAdminTest = CoreTest;

Credentials credentials_of(std::string name) {
  return Credentials{std::move(name), std::nullopt, "password123"};
}

TEST_F(SessionAdminTest, ListsLiveSessionsOldestFirstWithIdsNeverDigests) {
  add_user("ana", "operator");
  add_user("bob", "operator");
  auto first = core->login(credentials_of("ana"));
  clock.advance(10);
  auto second = core->login(credentials_of("ana"));
  ASSERT_TRUE(core->login(credentials_of("bob")));
  ASSERT_TRUE(first && second);

  auto listed = core->session_admin().list_sessions("ANA");
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_LT((*listed)[0].created_at, (*listed)[1].created_at);
  EXPECT_EQ((*listed)[0].username, "ana");
  EXPECT_EQ((*listed)[0].expires_at, (*listed)[0].created_at + settings.session_ttl_seconds);
  EXPECT_NE((*listed)[0].id, (*listed)[1].id);
  for (const SessionSummary& session : *listed) {
    EXPECT_FALSE(session.id.empty());
    EXPECT_EQ(session.id.find(first->api_key), std::string::npos);
    EXPECT_NE(session.id, core->sessions().digest_of(first->api_key));
    EXPECT_NE(session.id, core->sessions().digest_of(second->api_key));
  }
}

TEST_F(SessionAdminTest, ExpiredSessionsAreNotListed) {
  add_user("ana", "operator");
  ASSERT_TRUE(core->login(credentials_of("ana")));
  clock.advance(settings.session_ttl_seconds);
  auto listed = core->session_admin().list_sessions("ana");
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty());
}

TEST_F(SessionAdminTest, RevokingOneSessionEndsExactlyThatKey) {
  add_user("ana", "operator");
  auto first = core->login(credentials_of("ana"));
  auto second = core->login(credentials_of("ana"));
  auto listed = core->session_admin().list_sessions("ana");
  ASSERT_TRUE(listed && listed->size() == 2u);
  const std::string id = (*listed)[0].id;

  auto revoked = core->session_admin().revoke_session(id);
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_EQ(revoked->username, "ana");
  EXPECT_EQ(revoked->id, id);
  const bool first_alive = core->sessions().resolve(first->api_key).has_value();
  const bool second_alive = core->sessions().resolve(second->api_key).has_value();
  EXPECT_NE(first_alive, second_alive);  // one ended, the other lives
  EXPECT_EQ(core->session_admin().list_sessions("ana")->size(), 1u);

  auto again = core->session_admin().revoke_session(id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
}

TEST_F(SessionAdminTest, RevokingWithAUserRefusesAnotherUsersSession) {
  add_user("ana", "operator");
  add_user("bob", "operator");
  auto bobs = core->login(credentials_of("bob"));
  const std::string id = core->session_admin().list_sessions("bob")->front().id;

  auto refused = core->session_admin().revoke_session(id, "ana");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(core->sessions().resolve(bobs->api_key));

  auto unknown_user = core->session_admin().revoke_session(id, "nobody");
  ASSERT_FALSE(unknown_user);
  EXPECT_EQ(unknown_user.error().code, ErrorCode::kNotFound);

  ASSERT_TRUE(core->session_admin().revoke_session(id, "bob"));
  EXPECT_FALSE(core->sessions().resolve(bobs->api_key));
}

TEST_F(SessionAdminTest, RevokingAllEndsEveryKeyOfThatUserOnly) {
  add_user("ana", "operator");
  add_user("bob", "operator");
  auto a1 = core->login(credentials_of("ana"));
  auto a2 = core->login(credentials_of("ana"));
  auto b1 = core->login(credentials_of("bob"));

  auto count = core->session_admin().revoke_all_sessions("ana");
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 2u);
  EXPECT_FALSE(core->sessions().resolve(a1->api_key));
  EXPECT_FALSE(core->sessions().resolve(a2->api_key));
  EXPECT_TRUE(core->sessions().resolve(b1->api_key));

  auto unknown = core->session_admin().revoke_all_sessions("nobody");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace automation::testing
