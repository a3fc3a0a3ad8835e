#include "automation/oidc/rp_logout.hpp"

#include "automation/oidc/authorization.hpp"

namespace automation::oidc {

LogoutDecision RpLogout::decide(const LogoutParams& params,
                                const std::optional<Principal>& browser, bool confirmed) {
  LogoutDecision decision;
  std::string client_id = params.client_id.value_or("");
  std::string hinted_subject;
  if (params.id_token_hint && !params.id_token_hint->empty()) {
    // One of our ID tokens, for this issuer; its expiry does not matter (Logout 1.0 §2: the
    // RP may hold an expired one), its signature does.
    const auto claims = context_.keys.verify(*params.id_token_hint);
    const auto is_string = [&claims](const char* name) {
      return claims->contains(name) && (*claims)[name].is_string();
    };
    if (!claims || !is_string("iss") || (*claims)["iss"] != context_.settings.issuer ||
        !is_string("aud") || !is_string("sub")) {
      decision.message = "The sign-out request carries an ID token this service did not issue.";
      return decision;
    }
    const std::string audience = (*claims)["aud"].get<std::string>();
    if (!client_id.empty() && client_id != audience) {
      decision.message = "The sign-out request's client_id and ID token disagree.";
      return decision;
    }
    client_id = audience;
    hinted_subject = (*claims)["sub"].get<std::string>();
  }
  std::optional<OidcClient> client;
  if (!client_id.empty()) {
    auto found = context_.store.find_client(client_id);
    if (!found) {
      decision.message = "The sign-in service cannot reach its database; try again.";
      return decision;
    }
    client = *found;
  }
  if (client) decision.client_name = client->name;
  if (params.post_logout_redirect_uri) {
    const bool registered = client && OidcClientRegistry::post_logout_uri_registered(
                                          *client, *params.post_logout_redirect_uri);
    if (!registered) {
      decision.message =
          "The application asked to send you to an address it did not register. Nothing was done.";
      return decision;
    }
    decision.after = *params.post_logout_redirect_uri;
    if (params.state) decision.after = with_query(decision.after, {{"state", *params.state}});
  }
  const bool hint_names_browser_user = browser && browser->user && !hinted_subject.empty() &&
                                       browser->user->identifier == hinted_subject;
  decision.kind = (!browser || confirmed || hint_names_browser_user)
                      ? LogoutDecision::Kind::kSignOut
                      : LogoutDecision::Kind::kConfirm;
  return decision;
}

void RpLogout::record(const LogoutDecision& decision, std::string_view username,
                      std::string_view address) {
  (void)context_.core.audit().record("oidc_logout", username, decision.client_name, address,
                                     "success");
}

}  // namespace automation::oidc
