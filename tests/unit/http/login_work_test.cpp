// The class of hashing work each login route asks for (WorkerPool): a sign-in that names no
// account is anonymous work, kept to its share of the pool, on the API and on the login page
// alike (the page's sign-in is the password step of an MFA login too).

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "automation/http/login_time.hpp"
#include "automation/http/routes.hpp"
#include "core_fixture.hpp"

namespace automation::http {
namespace {

class LoginWorkTest : public testing::CoreTest {
 protected:
  void SetUp() override {
    CoreTest::SetUp();
    auto zone = LoginTime::create("UTC");
    ASSERT_TRUE(zone);
    login_time_ = std::make_unique<LoginTime>(*zone);
    routes_ = all_routes(RouteContext{*api, *login_time_});
    add_user("ana", "operator");
  }

  // The class POST `pattern` gives a request with this body (Content-Type `content_type`).
  WorkClass work_of(const std::string& pattern, std::string body,
                    const std::string& content_type) const {
    const auto route = std::find_if(routes_.begin(), routes_.end(), [&](const Route& candidate) {
      return candidate.method == Method::kPost && candidate.pattern == pattern;
    });
    EXPECT_NE(route, routes_.end()) << pattern;
    if (route == routes_.end()) return WorkClass::kAccount;
    EXPECT_EQ(route->execution, Execution::kWorkerPool) << pattern;
    EXPECT_TRUE(route->work_class) << pattern << " has no classifier: all its work is kAccount";
    if (!route->work_class) return WorkClass::kAccount;
    Request request;
    request.method = Method::kPost;
    request.body = std::move(body);
    request.content_type = content_type;
    return route->work_class(request, Caller{std::nullopt, "10.0.0.9"});
  }

  std::unique_ptr<LoginTime> login_time_;
  std::vector<Route> routes_;
};

TEST_F(LoginWorkTest, TheApiLoginIsAnonymousWorkOnlyForANameOfNoAccount) {
  const std::string json = "application/json";
  EXPECT_EQ(work_of("/api/users/login", R"({"username": "ana", "password": "x"})", json),
            WorkClass::kAccount);
  EXPECT_EQ(work_of("/api/users/login", R"({"username": "nobody", "password": "x"})", json),
            WorkClass::kAnonymous);
}

TEST_F(LoginWorkTest, TheLoginPageSignInIsClassedAsTheApiLoginIs) {
  const std::string form = "application/x-www-form-urlencoded";
  EXPECT_EQ(work_of("/login", "username=ana&password=x", form), WorkClass::kAccount);
  EXPECT_EQ(work_of("/login", "username=ana%40example.com&password=x", form), WorkClass::kAccount)
      << "an email in the name field";
  EXPECT_EQ(work_of("/login", "email=ana%40example.com&password=x", form), WorkClass::kAccount);
  EXPECT_EQ(work_of("/login", "username=nobody&password=x", form), WorkClass::kAnonymous);
}

}  // namespace
}  // namespace automation::http
