// `automation oidc rotate-keys`: new OpenID Connect signing keys (docs/oidc.md "Keys and
// rotation"). The `oidc` group itself is made in main.cpp; client commands live beside it.

#include <iostream>
#include <string>

#include "automation/cli/commands.hpp"
#include "automation/core/time_format.hpp"

namespace automation::cli {
namespace {

constexpr std::string_view kRotateEvent = "oidc_rotate_keys";

// "RS256 <kid>, ES256 <kid>": what the audit event names.
std::string named_keys(const std::vector<app::OidcKeyRotation::Key>& keys) {
  std::string text;
  for (const auto& key : keys) {
    if (!text.empty()) text += ", ";
    text += key.alg + " " + key.kid;
  }
  return text;
}

int rotate_keys(app::Application& app) {
  auto rotation = run_audited_naming(
      app, kRotateEvent,
      [](const Result<app::OidcKeyRotation>& result) {
        return result ? "oidc signing keys: " + named_keys(result->current)
                      : std::string("oidc signing keys");
      },
      [&] { return app.rotate_oidc_keys(); });
  if (!rotation) return report_failure(rotation.error());
  for (const auto& key : rotation->current) print_row({"current", key.alg, key.kid});
  const std::string until = format_utc(rotation->retire_at) + " UTC";
  for (const auto& key : rotation->retiring) {
    print_row({"published until " + until, key.alg, key.kid});
  }
  std::cerr << "New tokens are signed with the new keys (by other nodes too within "
            << app::kOidcKeyReloadSeconds
            << " s); the replaced keys stay in the JWKS until their tokens have expired";
  if (rotation->dropped > 0) std::cerr << "; " << rotation->dropped << " expired key(s) removed";
  std::cerr << '\n';
  return kExitOk;
}

}  // namespace

void add_oidc_key_commands(CLI::App& oidc, CliContext& context) {
  auto* rotate = oidc.add_subcommand(
      "rotate-keys",
      "New RS256 and ES256 signing keys for the OpenID Connect provider; the replaced keys stay "
      "published (JWKS) until every token they signed has expired (keys kept in the database "
      "only: with key files, replace the files)");
  set_example(*rotate, "automation oidc rotate-keys");
  rotate->callback([&context] { run_on_database(context, rotate_keys); });
}

}  // namespace automation::cli
