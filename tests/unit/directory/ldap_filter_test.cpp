#include "automation/directory/ldap_filter.hpp"

#include <gtest/gtest.h>

#include <string>

namespace automation::directory {
namespace {

TEST(LdapFilter, EscapesWhatRfc4515Reserves) {
  EXPECT_EQ(escape_filter_value("alice"), "alice");
  EXPECT_EQ(escape_filter_value("*"), "\\2a");
  EXPECT_EQ(escape_filter_value("("), "\\28");
  EXPECT_EQ(escape_filter_value(")"), "\\29");
  EXPECT_EQ(escape_filter_value("\\"), "\\5c");
  EXPECT_EQ(escape_filter_value(std::string("a\0b", 3)), "a\\00b");
}

TEST(LdapFilter, AnInjectionBecomesALiteralName) {
  // Unescaped, "*)(uid=*" would turn (uid={username}) into (uid=*)(uid=*): everyone.
  EXPECT_EQ(expand_filter("(uid={username})", "{username}", "*)(uid=*"),
            "(uid=\\2a\\29\\28uid=\\2a)");
  EXPECT_EQ(
      expand_filter("(&(objectClass=user)(sAMAccountName={username}))", "{username}", "x)(|(cn=*"),
      "(&(objectClass=user)(sAMAccountName=x\\29\\28|\\28cn=\\2a))");
}

TEST(LdapFilter, EscapesBytesOutsidePrintableAscii) {
  EXPECT_EQ(escape_filter_value("\x01"), "\\01");
  EXPECT_EQ(escape_filter_value("\x7f"), "\\7f");
  EXPECT_EQ(escape_filter_value("J\xc3\xb6rg"), "J\\c3\\b6rg");  // UTF-8, byte by byte
}

TEST(LdapFilter, ReplacesEveryPlaceholder) {
  EXPECT_EQ(expand_filter("(|(uid={username})(mail={username}))", "{username}", "a*"),
            "(|(uid=a\\2a)(mail=a\\2a))");
  EXPECT_EQ(expand_filter("(member={dn})", "{dn}", "uid=bob,ou=people,dc=plant,dc=test"),
            "(member=uid=bob,ou=people,dc=plant,dc=test)");
  EXPECT_EQ(expand_filter("(objectClass=*)", "{username}", "x"), "(objectClass=*)");
}

}  // namespace
}  // namespace automation::directory
