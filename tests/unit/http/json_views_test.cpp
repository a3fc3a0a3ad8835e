// The list renderers write users one by one; they must send the very bytes the nlohmann tree
// (user_page_json / an array of user_json, dumped by json_response) sends.

#include "automation/http/json_views.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace automation::http {
namespace {

User make_user(std::int64_t id, std::string username, std::optional<std::string> name,
               std::optional<std::string> lastname, std::string email = "a@b.c") {
  User user;
  user.id = id;
  user.identifier = "ident" + std::to_string(id);
  user.username = std::move(username);
  user.email = std::move(email);
  user.password_hash = "$argon2id$never-rendered";
  user.name = std::move(name);
  user.lastname = std::move(lastname);
  user.role = Role{7, "roleid", "operator", 10};
  return user;
}

std::vector<User> awkward_users() {
  std::vector<User> users = {
      make_user(1, "plain", "Ana", "Perez"),
      make_user(2, "quote\"back\\slash", "", std::nullopt),
      make_user(3, "ctl\x01\t\n\x1f", "tab\there", "del\x7f"),
      make_user(4, "ünïcödé 日本 😀", "Ñ", "ß", "ü@example.com"),
      make_user(5, std::string("bad\xff\xfeutf", 9), std::string("\xc3", 1),
                std::string("\xe2\x82", 2)),
      make_user(6, "/slash<>&'", std::nullopt, ""),
  };
  users.back().role = Role{8, "r\"id", "na\\me", -3};
  return users;
}

std::string tree_text(const nlohmann::json& body) { return json_response(200, body).body; }

TEST(JsonViews, UserListTextIsTheTreesBytes) {
  const std::vector<User> users = awkward_users();
  nlohmann::json array = nlohmann::json::array();
  for (const auto& user : users) array.push_back(user_json(user));
  EXPECT_EQ(user_list_text(users), tree_text(array));
  EXPECT_EQ(user_list_text({}), tree_text(nlohmann::json::array()));
  EXPECT_EQ(user_list_text(users).find("never-rendered"), std::string::npos);
  for (const auto& user : users) EXPECT_EQ(user_text(user), tree_text(user_json(user)));
}

TEST(JsonViews, UserPageTextIsTheTreesBytes) {
  UserPage page{awkward_users(), 41, std::nullopt};
  for (const std::int64_t limit : {std::int64_t{1}, std::int64_t{6}, std::int64_t{20},
                                   std::numeric_limits<std::int64_t>::max()}) {
    EXPECT_EQ(user_page_text(page, 3, limit), tree_text(user_page_json(page, 3, limit)));
  }
  const UserPage empty{{}, 0, 5};
  EXPECT_EQ(user_page_text(empty, 1, 20), tree_text(user_page_json(empty, 1, 20)));
}

}  // namespace
}  // namespace automation::http
