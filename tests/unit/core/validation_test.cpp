#include "automation/core/validation.hpp"

#include <gtest/gtest.h>

#include <string>

#include "automation/core/text.hpp"

namespace automation {
namespace {

std::string field_of(const Status& status) {
  return status ? "" : status.error().fields.begin()->first;
}

TEST(Validation, UsernameAcceptsCharset) {
  EXPECT_TRUE(validate_username("john_doe"));
  EXPECT_TRUE(validate_username("J.Doe-2"));
  EXPECT_TRUE(validate_username("7up"));
  EXPECT_TRUE(validate_username(std::string(64, 'a')));
}

TEST(Validation, UsernameRejectsBadInput) {
  for (const std::string& bad : {std::string(), std::string(65, 'a'), std::string("_lead"),
                                std::string("white space"), std::string("nul\0byte", 8),
                                std::string("caf\xc3\xa9"), std::string("\xff\xfe"),
                                std::string("a/b"), std::string("login"), std::string("ME"),
                                std::string("change_password"), std::string("roles")}) {
    const auto status = validate_username(bad);
    EXPECT_FALSE(status) << bad;
    EXPECT_EQ(field_of(status), "username");
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(Validation, Email) {
  EXPECT_TRUE(validate_email("john@example.com"));
  EXPECT_TRUE(validate_email("system@localhost"));
  EXPECT_TRUE(validate_email("a.b+tag@plant-1.example.org"));
  for (const std::string& bad :
       {std::string(), std::string("nobody"), std::string("@x.com"), std::string("a@"),
        std::string("a@@b.com"), std::string("a b@c.com"), std::string("a@b..com"),
        std::string("a@b.com\0", 8), std::string(120, 'a').append("@example.com")}) {
    EXPECT_EQ(field_of(validate_email(bad)), "email") << bad;
  }
}

TEST(Validation, Password) {
  EXPECT_TRUE(validate_password("12345678", 8));
  EXPECT_TRUE(validate_password("contraseña", 8));
  EXPECT_FALSE(validate_password("1234567", 8));
  EXPECT_FALSE(validate_password("ñññññññ", 8));  // 7 characters, 14 bytes
  EXPECT_FALSE(validate_password(std::string("12345678\0", 9), 8));
  EXPECT_FALSE(validate_password(std::string(1025, 'x'), 8));
  EXPECT_TRUE(validate_password(std::string(1024, 'x'), 8));
  EXPECT_FALSE(validate_password("1234567\xff", 8));
  EXPECT_EQ(field_of(validate_password("x", 8)), "password");
}

TEST(Validation, PersonName) {
  EXPECT_TRUE(validate_person_name("name", "José"));
  EXPECT_TRUE(validate_person_name("name", ""));
  EXPECT_EQ(field_of(validate_person_name("lastname", std::string(65, 'x'))), "lastname");
  EXPECT_FALSE(validate_person_name("name", "a\nb"));
  EXPECT_FALSE(validate_person_name("name", "\xc3"));
}

TEST(Validation, MergesAllFieldErrors) {
  ValidationErrors errors;
  errors.check(validate_username(""));
  errors.check(validate_email("x"));
  errors.check(validate_password("short", 8));
  const auto result = errors.result();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().fields.size(), 3u);
}

TEST(Text, Utf8) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x94\x91"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
  EXPECT_EQ(utf8_length("ñandú"), 5u);
  EXPECT_EQ(to_lower_ascii("AdMiN"), "admin");
  EXPECT_TRUE(iequals_ascii("SUDO", "sudo"));
}

}  // namespace
}  // namespace automation
