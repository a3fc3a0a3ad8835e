// The front door's pure parts: CORS answers, the cross-site judgement, the session cookie, the
// login page's return addresses and the page itself.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "automation/http/cors.hpp"
#include "automation/http/login_page.hpp"
#include "automation/http/login_redirect.hpp"
#include "automation/http/request_site.hpp"
#include "automation/http/session_cookie.hpp"

namespace automation::http {
namespace {

Request request_with(std::vector<std::pair<std::string, std::string>> headers) {
  Request request;
  for (auto& [name, value] : headers) request.headers.add(std::move(name), std::move(value));
  return request;
}

TEST(RequestHeaders, FindsFieldsCaseInsensitivelyFirstOneWins) {
  const Request request = request_with({{"Origin", "http://a"}, {"origin", "http://b"}});
  EXPECT_EQ(request.headers.find("ORIGIN"), "http://a");
  EXPECT_FALSE(request.headers.find("Referer"));
}

TEST(Cors, AnyOriginIsTheLiteralStarWithoutCredentials) {
  const CorsPolicy any;
  const auto answer = any.answer("https://hmi.example");
  EXPECT_EQ(answer.allow_origin, "*");
  EXPECT_FALSE(answer.allow_credentials);
  EXPECT_FALSE(answer.vary_origin);
  EXPECT_TRUE(any.answer(std::nullopt).allow_origin.empty()) << "no Origin, no CORS";
  EXPECT_FALSE(any.lists("https://hmi.example")) << "* lists nobody for credentials";
}

TEST(Cors, AListEchoesListedOriginsWithCredentialsAndAlwaysVaries) {
  const CorsPolicy listed(CorsPolicy::Mode::kListed, {"https://hmi.example", "http://127.0.0.1:3000"});
  const auto yes = listed.answer("https://HMI.example");
  EXPECT_EQ(yes.allow_origin, "https://HMI.example");
  EXPECT_TRUE(yes.allow_credentials);
  EXPECT_TRUE(yes.vary_origin);
  const auto no = listed.answer("https://evil.example");
  EXPECT_TRUE(no.allow_origin.empty());
  EXPECT_TRUE(no.vary_origin);
  EXPECT_TRUE(listed.answer(std::nullopt).vary_origin);
}

TEST(Cors, OffAnswersNothing) {
  const CorsPolicy off(CorsPolicy::Mode::kOff, {});
  EXPECT_FALSE(off.enabled());
  const auto answer = off.answer("https://hmi.example");
  EXPECT_TRUE(answer.allow_origin.empty());
  EXPECT_FALSE(answer.vary_origin);
}

TEST(RequestSite, JudgesOriginThenRefererAgainstHostAndTheList) {
  const CorsPolicy listed(CorsPolicy::Mode::kListed, {"https://console.plant"});
  EXPECT_EQ(request_site(request_with({{"Host", "plant:8443"}, {"Origin", "https://plant:8443"}}),
                         listed),
            RequestSite::kTrusted);
  EXPECT_EQ(request_site(request_with({{"Host", "plant"}, {"Origin", "https://console.plant"}}),
                         listed),
            RequestSite::kTrusted);
  EXPECT_EQ(request_site(request_with({{"Host", "plant"}, {"Origin", "https://evil"}}), listed),
            RequestSite::kForeign);
  EXPECT_EQ(request_site(request_with({{"Host", "plant"}, {"Origin", "null"}}), listed),
            RequestSite::kForeign);
  EXPECT_EQ(request_site(request_with({{"Host", "plant"}, {"Referer", "https://plant/login"}}),
                         listed),
            RequestSite::kTrusted);
  EXPECT_EQ(request_site(request_with({{"Host", "plant"}, {"Referer", "https://evil/x"}}), listed),
            RequestSite::kForeign);
  EXPECT_EQ(origin_site(request_with({{"Host", "plant"}, {"Referer", "https://evil/x"}}), listed),
            RequestSite::kUnstated)
      << "origin_site reads Origin only";
  EXPECT_EQ(request_site(request_with({{"Host", "plant"}}), listed), RequestSite::kUnstated);
  EXPECT_EQ(request_site(request_with({{"Host", "plant"}, {"Origin", "https://plant"},
                                       {"Referer", "https://evil/"}}),
                         listed),
            RequestSite::kTrusted)
      << "Origin decides when sent";
}

TEST(RequestSite, StarListsNoOriginForCookies) {
  const CorsPolicy any;
  EXPECT_EQ(request_site(request_with({{"Host", "plant"}, {"Origin", "https://hmi"}}), any),
            RequestSite::kForeign);
}

TEST(SessionCookie, FindsTheValueAmongOtherCookies) {
  EXPECT_EQ(session_cookie_value("a=1; automation_session=00ff; b=2"), "00ff");
  EXPECT_EQ(session_cookie_value("automation_session=\"abcd\""), "abcd");
  EXPECT_EQ(session_cookie_value("automation_session=1;automation_session=2"), "1");
  EXPECT_FALSE(session_cookie_value("automation_sessionX=1; xautomation_session=2"));
  EXPECT_FALSE(session_cookie_value(""));
  // Found by front_door_fuzz: an empty value is no cookie, not an empty key.
  EXPECT_FALSE(session_cookie_value("automation_session="));
  EXPECT_FALSE(session_cookie_value("automation_session=\"\"; b=2"));
  EXPECT_EQ(session_cookie_value("automation_session= ; automation_session=ab"), "ab");
}

TEST(SessionCookie, AttributesFollowTheSettings) {
  EXPECT_EQ(session_cookie("k1", CookieOptions{}),
            "automation_session=k1; Path=/; HttpOnly; SameSite=Lax");
  EXPECT_EQ(session_cookie("k1", CookieOptions{true, "plant.example"}),
            "automation_session=k1; Path=/; HttpOnly; SameSite=Lax; Secure; Domain=plant.example");
  EXPECT_NE(cleared_session_cookie(CookieOptions{}).find("Max-Age=0"), std::string::npos);
}

TEST(LoginRedirect, AllowsLocalPathsAndKnownHostsOnly) {
  const std::vector<HostPattern> allowed = {{"grafana.plant", 0}, {"hmi.plant", 3000}};
  const std::optional<std::string_view> own = "plant:8443";
  for (const char* rd : {"/", "/app/?x=1&y=%2F", "https://plant:8443/x", "http://plant:8443",
                         "https://grafana.plant/d/abc", "http://grafana.plant:81/",
                         "http://hmi.plant:3000/#/tags"}) {
    EXPECT_EQ(allowed_return_address(rd, own, allowed), rd) << rd;
  }
  for (const char* rd : {"", "//evil", "///evil", "/\\evil", "\\\\evil", "https:evil",
                         "https:/evil", "http://evil/", "https://plant:8443@evil/",
                         "https://evil.plant/", "http://hmi.plant:3001/", "/%2F%2Fevil",
                         "/%2f%5Cevil", "/%252F%252Fevil", "/\tevil", "/ evil", "/\r\nx",
                         "javascript:alert(1)", "data:text/html,x", "evil", "%2F%2Fevil",
                         "https://plant:8443\\@evil/", "/caf\xc3\xa9"}) {
    EXPECT_FALSE(allowed_return_address(rd, own, allowed)) << rd;
  }
  EXPECT_FALSE(allowed_return_address("https://plant:8443/x", std::nullopt, allowed))
      << "without a Host, only the list counts";
}

TEST(LoginRedirect, TheLoginUrlEncodesTheReturnAddress) {
  EXPECT_EQ(login_url_for("https://app/x?a=1&b=2"), "/login?rd=https%3A//app/x%3Fa%3D1%26b%3D2");
}

TEST(LoginPage, EscapesEverythingItShowsAndRunsNoScript) {
  LoginView view;
  view.notice = "Authorized use only <b>&</b>";
  view.error = "<script>alert(1)</script>";
  view.username = "\"><img src=x>";
  view.return_to = "/app/?a=1&b=\"2\"";
  const std::string html = render_login_page(view);
  EXPECT_NE(html.find("Authorized use only &lt;b&gt;&amp;&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("value=\"&quot;&gt;&lt;img src=x&gt;\""), std::string::npos);
  EXPECT_NE(html.find("value=\"/app/?a=1&amp;b=&quot;2&quot;\""), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("{{"), std::string::npos) << "every placeholder is filled";
  EXPECT_NE(html.find("action=\"/login\""), std::string::npos);
}

TEST(LoginPage, TheChangeStepPostsToThePasswordForm) {
  LoginView view;
  view.step = LoginView::Step::kChangePassword;
  view.username = "ana";
  view.password_expired = true;
  const std::string html = render_login_page(view);
  EXPECT_NE(html.find("action=\"/login/password\""), std::string::npos);
  EXPECT_NE(html.find("expired"), std::string::npos);
  EXPECT_NE(html.find("action=\"/logout\""), std::string::npos);
}

TEST(LoginPage, TheCodeStepCarriesThePendingLoginAndTheReturnAddressOnly) {
  LoginView view;
  view.step = LoginView::Step::kSecondFactor;
  view.mfa_token = "0a1b\"<x>";
  view.return_to = "/app/?a=1";
  const std::string html = render_login_page(view);
  EXPECT_NE(html.find("action=\"/login/mfa\""), std::string::npos);
  EXPECT_NE(html.find("name=\"mfa_token\" value=\"0a1b&quot;&lt;x&gt;\""), std::string::npos);
  EXPECT_NE(html.find("name=\"code\""), std::string::npos);
  EXPECT_NE(html.find("autocomplete=\"one-time-code\""), std::string::npos);
  EXPECT_EQ(html.find("type=\"password\""), std::string::npos) << "no password field";
  EXPECT_NE(html.find("href=\"/login?rd=/app/%3Fa%3D1\""), std::string::npos) << html;
}

TEST(LoginPage, ASignedInSessionThatMustSetUpMfaIsToldSo) {
  LoginView view;
  view.step = LoginView::Step::kSignedIn;
  view.username = "chief";
  EXPECT_EQ(render_login_page(view).find("multi-factor"), std::string::npos);
  view.mfa_enrollment_required = true;
  EXPECT_NE(render_login_page(view).find("requires multi-factor authentication"),
            std::string::npos);
}

TEST(LoginPage, HtmlAnswersCarryAStrictPolicy) {
  const Response response = html_response(200, "<p>x</p>", "https://grafana.plant:*");
  std::string policy;
  for (const auto& header : response.headers) {
    if (header.name == "Content-Security-Policy") policy = header.value;
  }
  EXPECT_EQ(policy,
            "default-src 'none'; style-src 'self'; form-action 'self' https://grafana.plant:*; "
            "frame-ancestors 'none'; base-uri 'none'");
  EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
  EXPECT_FALSE(login_style_sheet().empty());
}

}  // namespace
}  // namespace automation::http
