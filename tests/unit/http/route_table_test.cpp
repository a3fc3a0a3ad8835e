#include "automation/http/route_table.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace automation::http {
namespace {

Route route(Method method, std::string pattern) {
  return Route{method, std::move(pattern), KeyPolicy::kRequired, Execution::kIoThread,
               [](const Request&, const Caller&) { return Response{}; }, OperationDoc{}};
}

RouteTable table() {
  return RouteTable({route(Method::kPost, "/api/users/login"),
                     route(Method::kGet, "/api/users/me"),
                     route(Method::kGet, "/api/users/:username"),
                     route(Method::kPut, "/api/users/:username"),
                     route(Method::kDelete, "/api/users/tpts/:jti"),
                     route(Method::kDelete, "/api/users/:username/sessions/:session_id")});
}

TEST(RouteTable, LiteralRoutesWinAndParametersAreDecoded) {
  const auto routes = table();
  auto me = routes.match(Method::kGet, "/api/users/me");
  ASSERT_NE(me.route, nullptr);
  EXPECT_EQ(me.route->pattern, "/api/users/me");
  auto user = routes.match(Method::kGet, "/api/users/john%5Fdoe/");
  ASSERT_NE(user.route, nullptr);
  EXPECT_EQ(user.route->pattern, "/api/users/:username");
  EXPECT_EQ(user.parameters, std::vector<std::string>{"john_doe"});
}

TEST(RouteTable, TwoParametersAreBothDecodedInOrder) {
  const auto routes = table();
  auto session = routes.match(Method::kDelete, "/api/users/ana%20b/sessions/9f86");
  ASSERT_NE(session.route, nullptr);
  EXPECT_EQ(session.parameters, (std::vector<std::string>{"ana b", "9f86"}));
  EXPECT_EQ(routes.match(Method::kDelete, "/api/users/ana/sessions/").route, nullptr)
      << "the trailing '/' is dropped, leaving no second parameter";
  EXPECT_EQ(routes.match(Method::kDelete, "/api/users/ana/other/9f86").route, nullptr);
}

TEST(RouteTable, AMatchNamesTheRoutesIndexInTheTable) {
  const auto routes = table();
  auto user = routes.match(Method::kPut, "/api/users/ana");
  ASSERT_NE(user.route, nullptr);
  ASSERT_LT(user.index, routes.routes().size());
  EXPECT_EQ(&routes.routes()[user.index], user.route);
  EXPECT_EQ(user.index, 3u);
}

TEST(RouteTable, ReservedWordsNeverMatchAParameter) {
  const auto routes = table();
  // "login" is a known path with another method: 405, never "the user called login".
  auto login = routes.match(Method::kGet, "/api/users/login");
  EXPECT_EQ(login.route, nullptr);
  EXPECT_EQ(login.allow, "POST");
  EXPECT_EQ(RouteTable::unmatched_response(login).status, 405);
}

TEST(RouteTable, WrongMethodGives405WithAllowAndUnknownPathGives404) {
  const auto routes = table();
  auto wrong = routes.match(Method::kPost, "/api/users/someone");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_NE(wrong.allow.find("GET"), std::string::npos);
  EXPECT_NE(wrong.allow.find("PUT"), std::string::npos);
  auto head = routes.match(std::nullopt, "/api/users/me");
  EXPECT_EQ(RouteTable::unmatched_response(head).status, 405);
  auto unknown = routes.match(Method::kGet, "/api/nothing/here");
  EXPECT_EQ(unknown.route, nullptr);
  EXPECT_TRUE(unknown.allow.empty());
  EXPECT_EQ(RouteTable::unmatched_response(unknown).status, 404);
}

TEST(RouteTable, HeadOptionsAndPatchAreMethodsOfTheirOwn) {
  const RouteTable routes({route(Method::kGet, "/api/auth/verify"),
                           route(Method::kHead, "/api/auth/verify"),
                           route(Method::kPatch, "/api/auth/verify"),
                           route(Method::kGet, "/api/users/me")});
  auto head = routes.match(Method::kHead, "/api/auth/verify");
  ASSERT_NE(head.route, nullptr);
  EXPECT_EQ(head.route->method, Method::kHead);
  EXPECT_EQ(routes.match(Method::kPatch, "/api/auth/verify").route->method, Method::kPatch);
  auto options = routes.match(Method::kOptions, "/api/auth/verify");
  EXPECT_EQ(options.route, nullptr);
  EXPECT_EQ(options.allow, "GET, HEAD, PATCH");
  auto head_me = routes.match(Method::kHead, "/api/users/me");
  EXPECT_EQ(head_me.route, nullptr) << "HEAD is served only where a route says so";
  EXPECT_EQ(head_me.allow, "GET");
  EXPECT_EQ(RouteTable::unmatched_response(head_me).status, 405);
}

TEST(RouteTable, MethodNamesRoundTrip) {
  for (std::size_t i = 0; i < kMethodCount; ++i) {
    const auto method = static_cast<Method>(i);
    EXPECT_EQ(method_named(to_string(method)), method);
  }
  EXPECT_FALSE(method_named("get")) << "method names are case-sensitive";
  EXPECT_FALSE(method_named("TRACE"));
}

}  // namespace
}  // namespace automation::http
