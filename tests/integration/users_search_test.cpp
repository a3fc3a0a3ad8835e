// GET /api/users?search= (issue 23, the console's Users page), on the real binary: the paged
// answer of the users whose username, email, name or lastname contains the text. Which rows
// each engine finds is the contract suite's (StoreContract.Search*); this is the route.

#include <string>
#include <vector>

#include "controls_server.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

std::vector<std::string> usernames(const json& page) {
  std::vector<std::string> names;
  for (const auto& user : page.at("data")) names.push_back(user.at("username"));
  return names;
}

TEST(UsersSearch, AnswersOnePageOfTheUsersFound) {
  ControlsServer server;
  for (const char* name : {"srch_alpha", "srch_beta", "srch_gamma", "other"}) {
    server.add_user(name, "operator");
  }
  const auto key = api_key(server.key_of("srch_alpha"));
  using Names = std::vector<std::string>;

  const auto found = server.http().get("/api/users?search=SRCH_", key);
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(usernames(found.json()), (Names{"srch_alpha", "srch_beta", "srch_gamma"}));
  EXPECT_EQ(found.json().at("pagination"),
            (json{{"page", 1}, {"limit", 20}, {"total_records", 3}, {"total_pages", 1}}));

  const auto second = server.http().get("/api/users?search=srch&page=2&limit=2", key);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(usernames(second.json()), (Names{"srch_gamma"}));
  EXPECT_EQ(second.json().at("pagination").at("total_records"), 3);

  const auto by_email = server.http().get("/api/users?search=beta%40PLANT", key);
  EXPECT_EQ(usernames(by_email.json()), (Names{"srch_beta"})) << by_email.body;
  EXPECT_EQ(usernames(server.http().get("/api/users?search=system", key).json()), (Names{}))
      << "sudo accounts are never listed";
  EXPECT_EQ(usernames(server.http().get("/api/users?search=%25", key).json()), (Names{}))
      << "'%' is a character, not a wildcard";

  // An empty search is no search: the plain array, as without it.
  const auto all = server.http().get("/api/users?search=", key);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_TRUE(all.json().is_array());
  EXPECT_EQ(all.json().size(), 4u);

  const auto long_text = server.http().get("/api/users?search=" + std::string(101, 'a'), key);
  EXPECT_EQ(long_text.status, 400) << long_text.body;
  EXPECT_TRUE(long_text.json().at("errors").contains("search")) << long_text.body;
  EXPECT_EQ(server.http().get("/api/users?search=srch&page=0", key).status, 400);
  EXPECT_EQ(server.http().get("/api/users?search=srch").status, 401);
  EXPECT_EQ(server.process().stop(), 0);
}

}  // namespace
}  // namespace automation::testing
