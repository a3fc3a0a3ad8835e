#include "automation/http/request_parsing.hpp"

#include <gtest/gtest.h>

namespace automation::http {
namespace {

TEST(RequestParsing, MalformedAndNonObjectBodies) {
  for (const char* body : {"", "{", "not json", "{\"a\":}", "\xff\xfe"}) {
    auto parsed = parse_credentials(body);
    ASSERT_FALSE(parsed) << body;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(parsed.error().message, "Malformed JSON body") << body;
  }
  for (const char* body : {"[]", "42", "\"text\"", "null"}) {
    auto parsed = parse_credentials(body);
    ASSERT_FALSE(parsed) << body;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(RequestParsing, MissingFieldsAreEachNamed) {
  auto parsed = parse_signup("{}");
  ASSERT_FALSE(parsed);
  const auto& fields = parsed.error().fields;
  EXPECT_EQ(fields.count("username"), 1u);
  EXPECT_EQ(fields.count("email"), 1u);
  EXPECT_EQ(fields.count("password"), 1u);
}

TEST(RequestParsing, WrongTypesAreNamed) {
  auto parsed = parse_password_change(R"({"target_username": 5, "new_password": ["x"]})");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().fields.count("target_username"), 1u);
  EXPECT_EQ(parsed.error().fields.count("new_password"), 1u);
  EXPECT_FALSE(parse_tpt_request(R"({"role_name": "guest", "expires_in": "soon"})"));
  EXPECT_FALSE(parse_tpt_request(R"({"role_name": "guest", "expires_in": 0})"));
}

TEST(RequestParsing, LoginNeedsUsernameOrEmail) {
  auto by_email = parse_credentials(R"({"email": "a@b.c", "password": "pw"})");
  ASSERT_TRUE(by_email);
  EXPECT_EQ(by_email->email, "a@b.c");
  EXPECT_FALSE(by_email->username);
  auto neither = parse_credentials(R"({"password": "pw"})");
  ASSERT_FALSE(neither);
  EXPECT_EQ(neither.error().fields.count("username"), 1u);
}

TEST(RequestParsing, PageQuery) {
  EXPECT_FALSE(*parse_page_query(""));
  auto page = parse_page_query("page=2&limit=50");
  ASSERT_TRUE(page && *page);
  EXPECT_EQ((*page)->page, 2);
  EXPECT_EQ((*page)->limit, 50);
  EXPECT_FALSE(parse_page_query("page=x&limit=10"));
  EXPECT_EQ(percent_decode("a%20b+c", true), "a b c");
  EXPECT_FALSE(percent_decode("%zz", false));
}

}  // namespace
}  // namespace automation::http
