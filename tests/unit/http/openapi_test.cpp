#include "automation/http/openapi.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "automation/http/login_time.hpp"
#include "automation/http/route_table.hpp"
#include "automation/oidc/key_ring.hpp"
#include "automation/oidc/oidc_keys.hpp"
#include "core_fixture.hpp"

namespace automation::http {
namespace {

using testing::CoreTest;

// The server's route table, built as the server builds it (over in-memory core fakes).
class OpenApiTest : public CoreTest {
 protected:
  std::vector<Route> routes(bool with_metrics, bool with_oidc = false) {
    auto zone = LoginTime::create("UTC");
    EXPECT_TRUE(zone);
    login_time_ = std::make_unique<LoginTime>(*zone);
    RouteContext context{*api, *login_time_};
    if (with_metrics) context.metrics_text = &metrics_text_;
    if (with_oidc) {
      auto ring = oidc::OidcKeyRing::generate();
      EXPECT_TRUE(ring);
      oidc_keys_ = oidc::OidcKeys::fixed(*ring->key_set(0));
      oidc_.keys = oidc_keys_.get();
      oidc_.issuer = "https://idp.plant.local";
      context.oidc = &oidc_;
    }
    return all_routes(context);
  }

  std::unique_ptr<LoginTime> login_time_;
  std::unique_ptr<oidc::OidcKeys> oidc_keys_;
  OidcOptions oidc_;
  const std::function<std::string()> metrics_text_ = [] { return std::string(); };
};

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

TEST(OpenApiPath, ParametersBecomeTemplates) {
  EXPECT_EQ(openapi_path("/api/users/:username"), "/api/users/{username}");
  EXPECT_EQ(openapi_path("/api/users/tpts/:jti"), "/api/users/tpts/{jti}");
  EXPECT_EQ(openapi_path("/api/health/ping"), "/api/health/ping");
}

// Adding a route without a description fails here: every route needs a summary and its
// success answer next to it (see OperationDoc in routes.hpp).
TEST_F(OpenApiTest, EveryRouteIsDescribed) {
  const auto table = routes(/*with_metrics=*/true, /*with_oidc=*/true);
  std::set<std::string> tags;
  const auto document = openapi_document(table);
  for (const auto& tag : document.at("tags")) tags.insert(tag.at("name").get<std::string>());
  for (const Route& route : table) {
    const std::string name = std::string(to_string(route.method)) + " " + route.pattern;
    EXPECT_FALSE(route.doc.summary.empty()) << name << " has no OperationDoc summary";
    EXPECT_FALSE(route.doc.tag.empty()) << name << " has no tag";
    EXPECT_TRUE(tags.contains(std::string(route.doc.tag))) << name << ": tag not in the list";
    ASSERT_FALSE(route.doc.responses.empty()) << name << " documents no response";
    // 2xx, or 303 for a page whose success is to send the browser on (POST /logout).
    EXPECT_LT(route.doc.responses.front().status, 400) << name << ": success answer first";
    const auto parameters = std::count(route.pattern.begin(), route.pattern.end(), ':');
    EXPECT_LE(parameters, 2) << name << ": OperationDoc describes two parameters at most";
    if (parameters >= 1) {
      EXPECT_FALSE(route.doc.path_parameter.empty()) << name << " does not say what :name is";
    }
    if (parameters >= 2) {
      EXPECT_FALSE(route.doc.second_path_parameter.empty())
          << name << " does not say what its second parameter is";
    }
  }
}

// The OpenID Connect provider's routes exist only while it is on (docs/oidc.md).
TEST_F(OpenApiTest, OidcRoutesExistOnlyWhileTheProviderIsOn) {
  const auto off = openapi_document(routes(false));
  EXPECT_FALSE(off.at("paths").contains("/.well-known/openid-configuration"));
  EXPECT_FALSE(off.at("paths").contains("/oidc/jwks"));
  const auto on = openapi_document(routes(false, /*with_oidc=*/true));
  const auto& discovery = on["paths"]["/.well-known/openid-configuration"]["get"];
  EXPECT_TRUE(discovery.at("security").empty());
  EXPECT_EQ(discovery.at("tags"), nlohmann::json({"oidc"}));
  EXPECT_TRUE(on["paths"]["/oidc/jwks"]["get"].at("security").empty());
}

// The document's operations and the route table are the same set (with and without /metrics).
TEST_F(OpenApiTest, DocumentAndRouteTableHoldTheSameOperations) {
  for (const bool with_metrics : {false, true}) {
    const auto table = routes(with_metrics);
    const auto document = openapi_document(table);
    std::set<std::pair<std::string, std::string>> from_table, from_document;
    for (const Route& route : table) {
      from_table.emplace(openapi_path(route.pattern), lower(to_string(route.method)));
    }
    for (const auto& [path, operations] : document.at("paths").items()) {
      for (const auto& [method, operation] : operations.items()) {
        from_document.emplace(path, method);
      }
    }
    EXPECT_EQ(from_table, from_document);
    EXPECT_EQ(from_table.size(), table.size()) << "two routes share a method and path";
    EXPECT_EQ(document.at("paths").contains("/metrics"), with_metrics);
  }
}

TEST_F(OpenApiTest, NamesEveryStatusCodeOfTheSpecAndBothKeyForms) {
  const auto document = openapi_document(routes(true));
  std::set<std::string> codes;
  for (const auto& [path, operations] : document.at("paths").items()) {
    for (const auto& [method, operation] : operations.items()) {
      for (const auto& [code, answer] : operation.at("responses").items()) codes.insert(code);
    }
  }
  for (const auto& [name, answer] : document.at("components").at("responses").items()) {
    codes.insert(name == "NotFound" ? "404" : name == "MethodNotAllowed" ? "405" : name);
  }
  for (const char* code : {"200", "400", "401", "403", "404", "405", "409", "413", "429", "503"}) {
    EXPECT_TRUE(codes.contains(code)) << code;
  }
  const auto& schemes = document.at("components").at("securitySchemes");
  EXPECT_EQ(schemes.at("ApiKey").at("name"), "X-API-KEY");
  EXPECT_EQ(schemes.at("TokenAuthorization").at("name"), "Authorization");
  // Routes without a key say so; the login route needs none.
  EXPECT_TRUE(document["paths"]["/api/users/login"]["post"]["security"].empty());
  EXPECT_FALSE(document["paths"]["/api/users/me"]["get"].contains("security"));
}

TEST_F(OpenApiTest, BodiesAreJsonOrFormsAndKeyRoutesAnswer401) {
  const auto document = openapi_document(routes(false));
  const auto& change = document["paths"]["/api/users/change_password"]["post"];
  const auto& content = change.at("requestBody").at("content");
  EXPECT_TRUE(content.contains("application/json"));
  EXPECT_TRUE(content.contains("application/x-www-form-urlencoded"));
  for (const char* code : {"200", "400", "401", "413", "503"}) {
    EXPECT_TRUE(change.at("responses").contains(code)) << code;
  }
  const auto& user = document["paths"]["/api/users/{username}"]["get"];
  EXPECT_EQ(user.at("parameters").at(0).at("in"), "path");
  EXPECT_EQ(user.at("parameters").at(0).at("name"), "username");
  EXPECT_TRUE(user.at("responses").contains("404"));
}

// Directory login's own answers (docs/directory-login.md).
TEST_F(OpenApiTest, DirectoryLoginAnswersAreDescribed) {
  const auto document = openapi_document(routes(false));
  auto description = [&](const char* path, const char* code) {
    return document["paths"][path]["post"]["responses"][code]["description"].get<std::string>();
  };
  EXPECT_NE(description("/api/users/login", "503").find("directory"), std::string::npos);
  EXPECT_NE(description("/api/users/login", "503").find("hashing queue"), std::string::npos);
  EXPECT_NE(description("/api/users/login", "503").find("audit event"), std::string::npos);
  EXPECT_NE(description("/api/users/change_password", "400").find("directory_managed"),
            std::string::npos);
  EXPECT_NE(description("/api/users/reset_password", "400").find("directory_managed"),
            std::string::npos);
}

TEST_F(OpenApiTest, TheFrontDoorIsDescribedWithItsCookie) {
  const auto document = openapi_document(routes(false));
  EXPECT_EQ(document.at("components").at("securitySchemes").at("SessionCookie").at("in"),
            "cookie");
  const auto& verify = document["paths"]["/api/auth/verify"];
  for (const char* method : {"get", "head", "post", "put", "delete", "patch"}) {
    ASSERT_TRUE(verify.contains(method)) << method;
    EXPECT_FALSE(verify[method]["responses"].contains("503"))
        << method << ": verification writes nothing, so no audit event can fail";
  }
  EXPECT_TRUE(verify["get"]["security"].dump().find("SessionCookie") != std::string::npos);
  EXPECT_TRUE(document["paths"]["/login"]["get"]["responses"]["200"]["content"].contains("text/html"));
  EXPECT_TRUE(document["paths"]["/login"]["post"]["responses"].contains("303"));
}

}  // namespace
}  // namespace automation::http
