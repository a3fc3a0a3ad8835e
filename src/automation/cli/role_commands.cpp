// `automation role ...`: list and add roles.

#include <iostream>
#include <memory>
#include <string>

#include "automation/cli/commands.hpp"

namespace automation::cli {
namespace {

struct RoleOptions {
  std::string name;
  long long level = 0;
};

}  // namespace

void add_role_commands(CLI::App& cli, CliContext& context) {
  auto& group = add_command_group(cli, "role", "List and add roles", "automation role list");

  auto* list = group.add_subcommand("list", "List roles (sudo included): name, level");
  set_example(*list, "automation role list");
  list->callback([&context] {
    run_on_database(context, [](app::Application& app) {
      auto roles = app.core().roles().list_visible_roles();
      if (!roles) return report_failure(roles.error());
      print_row({"sudo", "0"});
      for (const auto& role : *roles) print_row({role.name, std::to_string(role.level)});
      return kExitOk;
    });
  });

  auto options = std::make_shared<RoleOptions>();
  auto* add = group.add_subcommand("add", "Add a role (level > 0)");
  add->add_option("--name", options->name, "Role name")->required();
  add->add_option("--level", options->level, "Level (lower = more privilege)")->required();
  set_example(*add, "automation role add --name maintainer --level 5");
  add->callback([&context, options] {
    run_on_database(context, [&](app::Application& app) {
      auto role = run_audited(app, "role_add", options->name,
                              [&] { return app.core().set_role(options->name, options->level); });
      if (!role) return report_failure(role.error());
      print_row({role->name, std::to_string(role->level)});
      return kExitOk;
    });
  });
}

}  // namespace automation::cli
