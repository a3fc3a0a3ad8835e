#include "automation/http/request_parsing.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

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

// flask-restx's words, with upstream's help text for each argument leading its reason.
TEST(RequestParsing, FailuresAreWordedAsUpstreamsRequestParser) {
  auto parsed = parse_password_change(R"({"new_password": 5})");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().message, "Input payload validation failed");
  EXPECT_EQ(parsed.error().fields,
            (std::map<std::string, std::string>{
                {"target_username",
                 "Username whose password will be changed Missing required parameter in the JSON "
                 "body or the post body or the query string"},
                {"new_password", "New password must be a string"}}));
  // One bad field gets the same top-level words as several.
  auto one = parse_new_role(R"({"name": "maint"})");
  ASSERT_FALSE(one);
  EXPECT_EQ(one.error().message, "Input payload validation failed");
  auto page = parse_page_query("page=0x1");
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().message, "Input payload validation failed");
  EXPECT_EQ(page.error().fields.at("page"), "Page number must be an integer");
  // A field upstream does not have: its reason stands alone.
  auto expiry = parse_tpt_request(R"({"role_name": "guest", "expires_in": 0})");
  ASSERT_FALSE(expiry);
  EXPECT_EQ(expiry.error().fields.at("expires_in"), "must be a positive number of seconds");
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

TEST(RequestParsing, LoginMayCarryAnOtpAsText) {
  auto with = parse_credentials(R"({"username": "ana", "password": "p", "otp": "012345"})");
  ASSERT_TRUE(with);
  EXPECT_EQ(with->otp, "012345");
  auto without = parse_credentials(R"({"username": "ana", "password": "p"})");
  ASSERT_TRUE(without);
  EXPECT_FALSE(without->otp);
  // A number would lose its leading zeros: codes are text.
  auto number = parse_credentials(R"({"username": "ana", "password": "p", "otp": 12345})");
  ASSERT_FALSE(number);
  EXPECT_EQ(number.error().fields.at("otp"), "must be a string");
  auto form = parse_credentials("username=ana&password=p&otp=012345", BodyEncoding::kForm);
  ASSERT_TRUE(form);
  EXPECT_EQ(form->otp, "012345");
}

TEST(RequestParsing, MfaBodiesNameEachMissingField) {
  EXPECT_EQ(*parse_mfa_code(R"({"code": "123456"})"), "123456");
  EXPECT_EQ(parse_mfa_code("{}").error().fields.count("code"), 1u);
  auto proof = parse_password_and_code(R"({"password": "p", "code": "c"})");
  ASSERT_TRUE(proof);
  EXPECT_EQ(proof->password, "p");
  EXPECT_EQ(proof->code, "c");
  auto missing = parse_password_and_code("{}");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().fields.size(), 2u);
  auto step = parse_mfa_login("mfa_token=t&code=123456", BodyEncoding::kForm);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->mfa_token, "t");
  EXPECT_EQ(step->code, "123456");
  auto wrong = parse_mfa_login(R"({"mfa_token": 1})");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().fields.at("mfa_token"), "must be a string");
  // flask-restx's words, alone: upstream has no such field, so no help text leads them.
  EXPECT_EQ(wrong.error().fields.at("code"),
            "Missing required parameter in the JSON body or the post body or the query string");
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

TEST(RequestParsing, ContentTypeChoosesTheEncoding) {
  EXPECT_EQ(body_encoding(std::nullopt), BodyEncoding::kJson);
  EXPECT_EQ(body_encoding("application/json"), BodyEncoding::kJson);
  EXPECT_EQ(body_encoding("text/plain"), BodyEncoding::kJson);
  EXPECT_EQ(body_encoding("application/x-www-form-urlencoded"), BodyEncoding::kForm);
  EXPECT_EQ(body_encoding(" Application/X-WWW-Form-Urlencoded ; charset=UTF-8"),
            BodyEncoding::kForm);
  EXPECT_EQ(body_encoding("application/x-www-form-urlencoded-not"), BodyEncoding::kJson);
}

TEST(RequestParsing, FormBodiesDecodeIntoTheSameFields) {
  constexpr auto kForm = BodyEncoding::kForm;
  auto signup = parse_signup(
      "username=ana&email=ana%40plant.example&password=a+b%2Bc%26d%3D"
      "&name=Ana+Mar%C3%ADa&&lastname",
      kForm);
  ASSERT_TRUE(signup) << signup.error().message;
  EXPECT_EQ(signup->username, "ana");
  EXPECT_EQ(signup->email, "ana@plant.example");
  EXPECT_EQ(signup->password, "a b+c&d=");
  EXPECT_EQ(signup->name,
            "Ana Mar\xc3\xad"
            "a");
  EXPECT_EQ(signup->lastname, "");
  EXPECT_FALSE(signup->role_name);
  // A repeated field: the first occurrence wins.
  auto first = parse_credentials("username=one&username=two&password=pw", kForm);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->username, "one");
  // Missing fields are named as for JSON; an empty body is an empty form.
  auto missing = parse_signup("", kForm);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().fields.size(), 3u);
}

TEST(RequestParsing, FormIntegersAreWholeDecimalValues) {
  constexpr auto kForm = BodyEncoding::kForm;
  auto role = parse_new_role("name=maint&level=-007", kForm);
  ASSERT_TRUE(role);
  EXPECT_EQ(role->level, -7);  // range rules are the core's
  EXPECT_EQ(parse_tpt_request("role_name=guest&expires_in=3600", kForm)->expires_in_seconds, 3600);
  for (const char* level : {"", "x", "5x", "+5", " 5", "5 ", "0x10", "1e3", "4.0", "-"}) {
    auto bad = parse_new_role(std::string("name=maint&level=") + level, kForm);
    ASSERT_FALSE(bad) << level;
    EXPECT_EQ(bad.error().fields.at("level"), "Role level, 0 maximum level must be an integer")
        << level;
  }
  auto huge = parse_new_role("name=maint&level=99999999999999999999", kForm);
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().fields.at("level"), "Role level, 0 maximum level is out of range");
  // JSON bodies keep requiring JSON integers.
  EXPECT_FALSE(parse_new_role(R"({"name": "maint", "level": "5"})"));
}

TEST(RequestParsing, MalformedFormsSayWhatIsWrong) {
  constexpr auto kForm = BodyEncoding::kForm;
  auto escape = parse_credentials("username=a%zz&password=pw", kForm);
  ASSERT_FALSE(escape);
  EXPECT_EQ(escape.error().message,
            "Malformed form body: bad percent-escape in the value of username");
  auto name = parse_credentials("user%4=a&password=pw", kForm);
  ASSERT_FALSE(name);
  EXPECT_EQ(name.error().message, "Malformed form body: a field name has a bad percent-escape");
  auto utf8 = parse_credentials("username=%FF%FE&password=pw", kForm);
  ASSERT_FALSE(utf8);
  EXPECT_EQ(utf8.error().message, "Malformed form body: the value of username is not valid UTF-8");
  auto nul = parse_credentials("username=a%00b&password=pw", kForm);
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().fields.count("username"), 1u);
}

}  // namespace
}  // namespace automation::http
