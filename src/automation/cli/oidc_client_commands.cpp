// `automation oidc client ...`: register, list and remove the OpenID Connect provider's clients.

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "automation/cli/commands.hpp"
#include "automation/core/time_format.hpp"

namespace automation::cli {
namespace {

struct OidcClientOptions {
  OidcClientRegistration registration;
  std::vector<std::string> grants;
  std::string client;  // remove: id or name
  bool json = false;
};

std::vector<std::string> oidc_grants_of(const OidcClient& client) {
  std::vector<std::string> grants;
  if (!client.redirect_uris.empty()) grants.emplace_back("authorization_code");
  if (client.client_credentials) grants.emplace_back("client_credentials");
  return grants;
}

std::string oidc_joined(const std::vector<std::string>& values, std::string_view separator) {
  std::string out;
  for (const std::string& value : values) {
    if (!out.empty()) out += separator;
    out += value;
  }
  return out.empty() ? "-" : out;
}

// What `client list --json` shows of a client: never its secret or the secret's digest.
nlohmann::json oidc_client_json(const OidcClient& client) {
  return {{"client_id", client.client_id},
          {"name", client.name},
          {"public", client.is_public},
          {"grants", oidc_grants_of(client)},
          {"id_token_alg", client.id_token_alg},
          {"redirect_uris", client.redirect_uris},
          {"post_logout_redirect_uris", client.post_logout_redirect_uris},
          {"created_at", format_utc(client.created_at)},
          {"created_by", client.created_by}};
}

}  // namespace

void add_oidc_client_commands(CLI::App& oidc, CliContext& context) {
  auto& group = add_command_group(oidc, "client", "Register, list and remove OpenID Connect clients",
                                  "automation oidc client list");
  auto options = std::make_shared<OidcClientOptions>();

  auto* add = group.add_subcommand(
      "add", "Register a client; its client_id and secret are printed once (the secret is kept "
             "only as a digest and cannot be shown again)");
  add->add_option("--name", options->registration.name,
                  "Unique name (1-64 characters of A-Z a-z 0-9 . _ -), e.g. ignition")
      ->required();
  add->add_option("--redirect-uri", options->registration.redirect_uris,
                  "Where the provider may send the user back (exact match; repeat for several)");
  add->add_option("--post-logout-redirect-uri", options->registration.post_logout_redirect_uris,
                  "Where the provider may send the user after logout (repeat for several)");
  add->add_flag("--public", options->registration.is_public,
                "A public client (a browser or desktop app): no secret, PKCE required");
  add->add_option("--id-token-alg", options->registration.id_token_alg,
                  "How its ID tokens are signed: RS256 (the default, which every relying party "
                  "supports) or ES256")
      ->check(CLI::IsMember({"RS256", "ES256"}));
  add->add_option("--grant", options->grants,
                  "client_credentials: the client may also get tokens for itself (machine "
                  "client; not with --public)")
      ->check(CLI::IsMember({"client_credentials"}));
  add->add_flag("--json", options->json,
                "Print {\"client_id\": ..., \"client_secret\": ...} (null for a public client)");
  set_example(*add,
              "automation oidc client add --name ignition "
              "--redirect-uri https://hmi.plant.local:8043/data/federate/callback/oidc");
  add->callback([&context, options] {
    options->registration.client_credentials = !options->grants.empty();
    run_on_database(context, [&](app::Application& app) {
      auto added = app.oidc_clients().register_client(options->registration, "cli", "cli");
      if (!added) return report_failure(added.error());
      if (options->json) {
        nlohmann::json out = {{"client_id", added->client.client_id}, {"client_secret", nullptr}};
        if (!added->client.is_public) out["client_secret"] = added->secret;
        print_json(out);
        return kExitOk;
      }
      std::cout << "client_id " << added->client.client_id << '\n';
      if (added->client.is_public) {
        std::cout << "public client: no secret (PKCE required)\n";
      } else {
        std::cout << "client_secret " << added->secret << '\n'
                  << "The client secret cannot be shown again: enter it in the client now.\n";
      }
      return kExitOk;
    });
  });

  auto* list = group.add_subcommand(
      "list", "List clients, never a secret: client_id, name, type, grants, redirect URIs, "
              "post-logout redirect URIs, created, created by");
  list->add_flag("--json", options->json, "Print a JSON array instead");
  set_example(*list, "automation oidc client list");
  list->callback([&context, options] {
    run_on_database(context, [&](app::Application& app) {
      auto clients = app.oidc_clients().list_clients();
      if (!clients) return report_failure(clients.error());
      if (options->json) {
        nlohmann::json out = nlohmann::json::array();
        for (const OidcClient& client : *clients) out.push_back(oidc_client_json(client));
        print_json(out);
        return kExitOk;
      }
      for (const OidcClient& client : *clients) {
        print_row({client.client_id, client.name, client.is_public ? "public" : "confidential",
                   oidc_joined(oidc_grants_of(client), ","), oidc_joined(client.redirect_uris, " "),
                   oidc_joined(client.post_logout_redirect_uris, " "), format_utc(client.created_at),
                   client.created_by});
      }
      return kExitOk;
    });
  });

  auto* remove = group.add_subcommand(
      "remove", "Remove a client (by client_id or name); its codes and refresh tokens end with it");
  remove->add_option("client", options->client, "The client's client_id or name")->required();
  set_example(*remove, "automation oidc client remove ignition");
  remove->callback([&context, options] {
    run_on_database(context, [&](app::Application& app) {
      auto removed = app.oidc_clients().remove_client(options->client, "cli", "cli");
      if (!removed) return report_failure(removed.error());
      std::cout << "removed " << shown(removed->name) << ' ' << removed->client_id << '\n';
      return kExitOk;
    });
  });
}

}  // namespace automation::cli
