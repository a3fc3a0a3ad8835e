#include "automation/http/request_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace automation::http {
namespace {

TEST(RequestId, AcceptsBoundedSafeIds) {
  EXPECT_TRUE(is_valid_request_id("abc-123"));
  EXPECT_TRUE(is_valid_request_id("0f8e6c1a-2b3c-4d5e-8f90-123456789abc"));
  EXPECT_TRUE(is_valid_request_id("trace:span.1_2"));
  EXPECT_TRUE(is_valid_request_id(std::string(kMaxRequestIdBytes, 'a')));
}

TEST(RequestId, RefusesWhatCouldBreakALogLineOrHeader) {
  EXPECT_FALSE(is_valid_request_id(""));
  EXPECT_FALSE(is_valid_request_id(std::string(kMaxRequestIdBytes + 1, 'a')));
  for (const char* bad : {"a b", "a\"b", "a\\b", "a\nb", "a\rb", "a{b}", "a,b", "ä", "a/b",
                          "a=b"}) {
    EXPECT_FALSE(is_valid_request_id(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_request_id(std::string("a\0b", 3)));
}

TEST(RequestId, GeneratedIdsAreValidAndUnique) {
  RequestIdGenerator first;
  RequestIdGenerator second;  // another process
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    for (auto* generator : {&first, &second}) {
      const std::string id = generator->next();
      EXPECT_TRUE(is_valid_request_id(id)) << id;
      EXPECT_TRUE(seen.insert(id).second) << id;
    }
  }
}

}  // namespace
}  // namespace automation::http
