#include "automation/http/error_mapping.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace automation::http {
namespace {

TEST(ErrorMapping, OneStatusPerCode) {
  EXPECT_EQ(http_status(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(http_status(ErrorCode::kRuleViolation), 400);
  EXPECT_EQ(http_status(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(http_status(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(http_status(ErrorCode::kNotFound), 404);
  EXPECT_EQ(http_status(ErrorCode::kAlreadyExists), 409);
  EXPECT_EQ(http_status(ErrorCode::kThrottled), 429);
  EXPECT_EQ(http_status(ErrorCode::kInternal), 500);
  EXPECT_EQ(http_status(ErrorCode::kUnavailable), 503);
}

TEST(ErrorMapping, BodyCarriesMessageAndFields) {
  auto response = error_response(Error::invalid("email", "must look like name@domain"));
  EXPECT_EQ(response.status, 400);
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["errors"]["email"], "must look like name@domain");
  EXPECT_TRUE(body.contains("message"));
}

TEST(ErrorMapping, ThrottledSetsRetryAfterAndInternalHidesDetail) {
  Error throttled = Error::make(ErrorCode::kThrottled, "slow down");
  throttled.retry_after_seconds = 42;
  EXPECT_EQ(error_response(throttled).retry_after_seconds, 42);
  auto internal = error_response(Error::make(ErrorCode::kInternal, "SQL near users.password"));
  EXPECT_EQ(nlohmann::json::parse(internal.body)["message"], "Internal server error");
}

}  // namespace
}  // namespace automation::http
