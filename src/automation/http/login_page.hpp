#pragma once

// The service's one login page (SPEC §8), rendered on the server: HTML forms, no script, one
// style sheet of its own (login/style.css), both compiled into the binary. Each step of
// signing in is a view of the same page, so later steps (a second factor, issue 24) are one
// more Step, and the console and the OIDC provider send their users here.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "automation/http/http_message.hpp"

namespace automation::http {

struct LoginView {
  enum class Step {
    kSignIn,          // username or email, password
    kSecondFactor,    // the password was right and the account uses MFA: a code
    kChangePassword,  // the password expired or was set by someone else: choose a new one
    kSignedIn,        // a live session: who, continue, sign out
    kSignOut,         // confirm signing out (GET /logout changes nothing)
    kMessage,         // a message alone (e.g. a refused return address)
  };
  Step step = Step::kSignIn;
  std::string notice;       // AUTOMATION_LOGIN_NOTICE, shown on every step
  std::string error;        // shown above the form ("" = none)
  std::string info;         // a neutral line ("" = none)
  std::string return_to;    // an allowed return address, kept through the forms ("" = none)
  std::string username;     // kSignIn: prefilled; kSignedIn, kChangePassword: the account
  std::string role;         // kSignedIn
  bool password_expired = false;  // kChangePassword: expired (else set by someone else)
  // kSecondFactor: the pending login's mfa_token (short-lived, single use, bound to the
  // client's address; never the password), carried by the code form.
  std::string mfa_token;
  // kSignedIn: the role must use MFA and the account has none yet, so applications refuse
  // the session until it is set up.
  bool mfa_enrollment_required = false;
  // kSignOut: where the question's form posts (RP-initiated logout asks at /oidc/logout), and
  // the fields it carries besides rd.
  std::string sign_out_action = "/logout";
  std::vector<std::pair<std::string, std::string>> hidden_fields;
};

// The page as HTML.
std::string render_login_page(const LoginView& view);

// An HTML answer with the page's security headers: a Content-Security-Policy that allows
// nothing but this service's style sheet and forms posting to it (plus the hosts a return
// address may lead to, which a form's redirect must be allowed to reach), no framing, and
// Referrer-Policy same-origin.
Response html_response(int status, std::string html, std::string_view form_targets = {});

// The style sheet.
std::string_view login_style_sheet();

// Text escaped for HTML element content and attribute values.
std::string html_escape(std::string_view text);

}  // namespace automation::http
