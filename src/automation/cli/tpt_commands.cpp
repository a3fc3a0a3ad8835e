// `automation tpt ...`: create, list and revoke third-party tokens.

#include <iostream>
#include <memory>
#include <string>

#include "automation/cli/commands.hpp"

namespace automation::cli {
namespace {

struct TptOptions {
  TptRequest request;
  std::string jti;
};

}  // namespace

void add_tpt_commands(CLI::App& cli, CliContext& context) {
  auto& group = add_command_group(cli, "tpt", "Create, list and revoke third-party tokens",
                                  "automation tpt list");
  auto options = std::make_shared<TptOptions>();

  auto* create = group.add_subcommand(
      "create", "Create a token (printed once on stdout; its jti and role on stderr)");
  create->add_option("--role", options->request.role_name, "Role the token acts with")
      ->required();
  create->add_option("--expires-in", options->request.expires_in_seconds, "Lifetime in seconds");
  create->add_option("--description", options->request.description, "What the token is for");
  set_example(*create,
              "automation tpt create --role operator --expires-in 86400 --description historian");
  create->callback([&context, options] {
    run_on_database(context, [&](app::Application& app) {
      auto created = run_audited_naming(
          app, "tpt_create",
          [&](const Result<TptCreated>& result) {
            return result ? "tpt:" + result->record.jti : options->request.role_name;
          },
          [&] { return app.core().create_tpt(options->request, "cli"); });
      if (!created) return report_failure(created.error());
      std::cout << created->token << '\n';
      std::cerr << "jti " << shown(created->record.jti) << ", role " << shown(created->record.role)
                << '\n';
      return kExitOk;
    });
  });

  auto* list = group.add_subcommand(
      "list", "List tokens, never the token itself: jti, role, created, expires, state, description");
  set_example(*list, "automation tpt list");
  list->callback([&context] {
    run_on_database(context, [](app::Application& app) {
      auto tpts = app.core().tpts().list_tpts();
      if (!tpts) return report_failure(tpts.error());
      for (const auto& tpt : *tpts) {
        print_row({tpt.jti, tpt.role, tpt.created_on, tpt.expires_on.value_or("-"),
                   tpt.revoked ? "revoked" : "active", tpt.description});
      }
      return kExitOk;
    });
  });

  auto* revoke = group.add_subcommand("revoke", "Revoke a token by its jti");
  revoke->add_option("--jti", options->jti, "Token id")->required();
  set_example(*revoke, "automation tpt revoke --jti 3f6c2a0e9d4b4f1c");
  revoke->callback([&context, options] {
    run_on_database(context, [&](app::Application& app) {
      auto status = run_audited(app, "tpt_revoke", "tpt:" + options->jti,
                                [&] { return app.core().tpts().revoke_tpt(options->jti); });
      return report(status);
    });
  });
}

}  // namespace automation::cli
