#pragma once

// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): a relying party sends the
// browser to the end_session_endpoint, usually with the ID token it holds (id_token_hint) and
// where to come back (post_logout_redirect_uri, registered per client, exact match). The
// browser session ends without a question only when the hint names the signed-in user;
// otherwise the service asks, and the answer is a form posted from its own origin, so a link
// on another site cannot sign anyone out.

#include <optional>
#include <string>
#include <string_view>

#include "automation/core/model.hpp"
#include "automation/oidc/provider_context.hpp"

namespace automation::oidc {

struct LogoutParams {
  std::optional<std::string> id_token_hint;
  std::optional<std::string> post_logout_redirect_uri;
  std::optional<std::string> state;
  std::optional<std::string> client_id;
};

struct LogoutDecision {
  enum class Kind {
    kErrorPage,  // `message`, nothing done
    kSignOut,    // end the browser session (if any) now, then go to `after`
    kConfirm,    // ask first
  };
  Kind kind = Kind::kErrorPage;
  std::string message;
  // Where the browser goes once signed out: the registered post_logout_redirect_uri with
  // state; "" = the service's signed-out page.
  std::string after;
  std::string client_name;  // for the audit trail ("" = unknown)
};

class RpLogout {
 public:
  explicit RpLogout(OidcContext& context) : context_(context) {}

  // `confirmed`: the user answered the question (a POST from this service's own page).
  LogoutDecision decide(const LogoutParams& params, const std::optional<Principal>& browser,
                        bool confirmed);
  // Records the end of the browser session (event oidc_logout).
  void record(const LogoutDecision& decision, std::string_view username, std::string_view address);

 private:
  OidcContext& context_;
};

}  // namespace automation::oidc
