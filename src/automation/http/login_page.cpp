#include "automation/http/login_page.hpp"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "automation/http/embedded_file.hpp"
#include "automation/http/login_redirect.hpp"

namespace automation::http {
namespace {

std::string_view embedded(std::string_view name) {
  const auto files = login_files();
  const auto found = std::find_if(files.begin(), files.end(),
                                  [name](const EmbeddedFile& file) { return file.name == name; });
  return found == files.end() ? std::string_view() : found->bytes;
}

// Replaces each "{{key}}" of `text` by its value (values are inserted as given: escape first).
std::string fill(std::string_view text,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> values) {
  std::string out;
  out.reserve(text.size() + 256);
  for (;;) {
    const auto open = text.find("{{");
    if (open == std::string_view::npos) break;
    const auto close = text.find("}}", open);
    if (close == std::string_view::npos) break;
    out += text.substr(0, open);
    const auto key = text.substr(open + 2, close - open - 2);
    for (const auto& [name, value] : values) {
      if (name == key) out += value;
    }
    text.remove_prefix(close + 2);
  }
  out += text;
  return out;
}

std::string return_field(const LoginView& view) {
  if (view.return_to.empty()) return {};
  return "<input type=\"hidden\" name=\"rd\" value=\"" + html_escape(view.return_to) + "\">\n";
}

std::string sign_out_form(const LoginView& view, std::string_view button_class) {
  std::string fields = return_field(view);
  for (const auto& [name, value] : view.hidden_fields) {
    fields += "<input type=\"hidden\" name=\"" + html_escape(name) + "\" value=\"" +
              html_escape(value) + "\">\n";
  }
  return "<form method=\"post\" action=\"" + html_escape(view.sign_out_action) + "\">\n" +
         fields + "<button type=\"submit\"" + std::string(button_class) + ">Sign out</button>\n</form>\n";
}

std::string sign_in(const LoginView& view) {
  return "<form method=\"post\" action=\"/login\">\n" + return_field(view) +
         "<label for=\"username\">Username or email</label>\n"
         "<input id=\"username\" name=\"username\" autocomplete=\"username\" required autofocus"
         " value=\"" +
         html_escape(view.username) +
         "\">\n"
         "<label for=\"password\">Password</label>\n"
         "<input id=\"password\" name=\"password\" type=\"password\" "
         "autocomplete=\"current-password\" required>\n"
         "<button type=\"submit\">Sign in</button>\n</form>\n";
}

std::string second_factor(const LoginView& view) {
  // No pattern or numeric keyboard: a recovery code has letters.
  return "<p class=\"info\">Enter the code your authenticator app shows, or one of your "
         "recovery codes.</p>\n<form method=\"post\" action=\"/login/mfa\">\n" +
         return_field(view) + "<input type=\"hidden\" name=\"mfa_token\" value=\"" +
         html_escape(view.mfa_token) +
         "\">\n"
         "<label for=\"code\">Code</label>\n"
         "<input id=\"code\" name=\"code\" autocomplete=\"one-time-code\" "
         "autocapitalize=\"off\" spellcheck=\"false\" required autofocus>\n"
         "<button type=\"submit\">Verify</button>\n</form>\n"
         "<p><a href=\"" +
         html_escape(view.return_to.empty() ? std::string("/login") : login_url_for(view.return_to)) + "\">Sign in again</a></p>\n";
}

std::string change_password(const LoginView& view) {
  const std::string why = view.password_expired
                              ? "Your password has expired. Choose a new one to continue."
                              : "Your password was set by someone else. Choose your own to "
                                "continue.";
  return "<p class=\"info\">" + html_escape(why) +
         "</p>\n<form method=\"post\" action=\"/login/password\">\n" + return_field(view) +
         "<input type=\"hidden\" name=\"username\" autocomplete=\"username\" value=\"" +
         html_escape(view.username) +
         "\">\n"
         "<label for=\"current_password\">Current password</label>\n"
         "<input id=\"current_password\" name=\"current_password\" type=\"password\" "
         "autocomplete=\"current-password\" required autofocus>\n"
         "<label for=\"new_password\">New password</label>\n"
         "<input id=\"new_password\" name=\"new_password\" type=\"password\" "
         "autocomplete=\"new-password\" required>\n"
         "<label for=\"confirm_password\">New password again</label>\n"
         "<input id=\"confirm_password\" name=\"confirm_password\" type=\"password\" "
         "autocomplete=\"new-password\" required>\n"
         "<button type=\"submit\">Change password</button>\n</form>\n" +
         sign_out_form(view, " class=\"secondary\"");
}

std::string signed_in(const LoginView& view) {
  std::string html = "<p>Signed in as <strong>" + html_escape(view.username) + "</strong>";
  if (!view.role.empty()) html += " (" + html_escape(view.role) + ")";
  html += ".</p>\n";
  if (view.mfa_enrollment_required) {
    html += "<p class=\"info\">Your role requires multi-factor authentication, and this "
            "account has none yet: applications refuse this sign-in until it is set up. Ask "
            "your administrator how.</p>\n";
  }
  if (!view.return_to.empty()) {
    html += "<p><a href=\"" + html_escape(view.return_to) + "\">Continue</a></p>\n";
  }
  return html + sign_out_form(view, " class=\"secondary\"");
}

std::string sign_out(const LoginView& view) {
  return "<p>Sign out of every application that uses this login?</p>\n" + sign_out_form(view, "");
}

std::string content(const LoginView& view) {
  switch (view.step) {
    case LoginView::Step::kSignIn:
      return sign_in(view);
    case LoginView::Step::kSecondFactor:
      return second_factor(view);
    case LoginView::Step::kChangePassword:
      return change_password(view);
    case LoginView::Step::kSignedIn:
      return signed_in(view);
    case LoginView::Step::kSignOut:
      return sign_out(view);
    case LoginView::Step::kMessage:
      return "<p><a href=\"/login\">Sign in</a></p>\n";
  }
  return {};
}

std::string_view title(const LoginView& view) {
  switch (view.step) {
    case LoginView::Step::kSecondFactor:
      return "Enter your code";
    case LoginView::Step::kChangePassword:
      return "Change your password";
    case LoginView::Step::kSignOut:
      return "Sign out";
    default:
      return "Sign in";
  }
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_login_page(const LoginView& view) {
  const std::string notice =
      view.notice.empty()
          ? std::string()
          : "<section class=\"notice\" role=\"note\">" + html_escape(view.notice) + "</section>\n";
  std::string message;
  if (!view.error.empty()) {
    message = "<p class=\"error\" role=\"alert\">" + html_escape(view.error) + "</p>\n";
  } else if (!view.info.empty()) {
    message = "<p class=\"info\" role=\"status\">" + html_escape(view.info) + "</p>\n";
  }
  const std::string escaped_title = html_escape(title(view));
  const std::string body = content(view);
  return fill(embedded("page.html"), {{"title", escaped_title},
                                      {"notice", notice},
                                      {"message", message},
                                      {"content", body}});
}

Response html_response(int status, std::string html, std::string_view form_targets) {
  Response response;
  response.status = status;
  response.body = std::move(html);
  response.content_type = "text/html; charset=utf-8";
  std::string policy = "default-src 'none'; style-src 'self'; form-action 'self'";
  if (!form_targets.empty()) {
    policy += ' ';
    policy += form_targets;
  }
  policy += "; frame-ancestors 'none'; base-uri 'none'";
  response.add_header("Content-Security-Policy", std::move(policy));
  response.add_header("X-Frame-Options", "DENY");
  response.add_header("Referrer-Policy", "same-origin");
  return response;
}

std::string_view login_style_sheet() { return embedded("style.css"); }

}  // namespace automation::http
