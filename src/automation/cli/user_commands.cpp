// `automation user ...`: create, list, set-password, set-role, delete and unlock users, and
// reset their multi-factor authentication.

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "automation/cli/commands.hpp"
#include "automation/core/policy.hpp"
#include "automation/http/json_views.hpp"

namespace automation::cli {
namespace {

struct UserOptions {
  SignupRequest new_user;
  std::optional<std::string> password;
  std::string username;
  std::string role;
  bool json = false;
};
using Options = std::shared_ptr<UserOptions>;

void print_user(const User& user) {
  print_row({user.identifier, user.username, user.email,
             user.role.name + '(' + std::to_string(user.role.level) + ')',
             user.name.value_or(""), user.lastname.value_or("")});
}

void add_create(CLI::App& group, CliContext& context, const Options& options) {
  auto* create = group.add_subcommand("create", "Create a user (any role, sudo too)");
  create->add_option("--username", options->new_user.username, "User name")->required();
  create->add_option("--email", options->new_user.email, "E-mail address")->required();
  create->add_option("--role", options->new_user.role_name, "Role name (default guest)");
  create->add_option("--name", options->new_user.name, "First name");
  create->add_option("--lastname", options->new_user.lastname, "Last name");
  create->add_option("--password", options->password, "Password (default: read from stdin)");
  set_example(*create, "automation user create --username ana --email ana@plant.local --role admin");
  create->callback([&context, options] {
    run_on_database(context, [&](app::Application& app) {
      options->new_user.password = password_or_stdin(options->password);
      auto user = run_audited(app, "signup", options->new_user.username, [&] {
        return app.core().users().signup(options->new_user, /*allow_sudo=*/true);
      });
      if (!user) return report_failure(user.error());
      print_user(*user);
      return kExitOk;
    });
  });
}

void add_list(CLI::App& group, CliContext& context, const Options& options) {
  auto* list = group.add_subcommand("list", "List users (sudo users left out, as in the API)");
  list->add_flag("--json", options->json,
                 "Print a JSON array of users (the API's user objects) instead of lines of "
                 "identifier, username, email, role(level), name, lastname");
  set_example(*list, "automation user list --json | jq -r '.[].username'");
  list->callback([&context, options] {
    run_on_database(context, [&](app::Application& app) {
      auto page = app.core().users().list_users();
      if (!page) return report_failure(page.error());
      if (options->json) {
        nlohmann::json users = nlohmann::json::array();
        for (const auto& user : page->users) users.push_back(http::user_json(user));
        print_json(users);
      } else {
        for (const auto& user : page->users) print_user(user);
      }
      return kExitOk;
    });
  });
}

void add_set_password(CLI::App& group, CliContext& context, const Options& options) {
  auto* set_password =
      group.add_subcommand("set-password", "Reset a user's password (their sessions end)");
  set_password->add_option("--username", options->username, "User name")->required();
  set_password->add_option("--password", options->password, "New password (default: stdin)");
  set_example(*set_password, "automation user set-password --username ana < new-password.txt");
  set_password->callback([&context, options] {
    run_on_database(context, [&](app::Application& app) {
      const std::string password = password_or_stdin(options->password);
      auto status = run_audited(app, "password_reset", options->username, [&] {
        return app.core().reset_password(options->username, password);
      });
      return report(status);
    });
  });
}

void add_set_role(CLI::App& group, CliContext& context, const Options& options) {
  auto* set_role = group.add_subcommand(
      "set-role",
      "Move a user to a role (any role, sudo included: the local administrator's repair)");
  set_role->add_option("--username", options->username, "User name")->required();
  set_role->add_option("--role", options->role, "Role name")->required();
  set_example(*set_role, "automation user set-role --username ana --role operator");
  set_role->callback([&context, options] {
    run_on_database(context, [&](app::Application& app) {
      auto status =
          run_audited(app, "role_change", options->username + " -> " + options->role, [&] {
            return app.core().users().update_user_role(options->username, options->role,
                                                       /*allow_sudo=*/true);
          });
      return report(status);
    });
  });
}

void add_delete(CLI::App& group, CliContext& context, const Options& options) {
  auto* remove = group.add_subcommand(
      "delete", "Delete a user and end their sessions (sudo users too; never 'system')");
  remove->add_option("--username", options->username, "User name")->required();
  set_example(*remove, "automation user delete --username ana");
  remove->callback([&context, options] {
    run_on_database(context, [&](app::Application& app) {
      // The one account every start recreates: deleting it would only rotate its password.
      auto status = run_audited(app, "user_delete", options->username, [&]() -> Status {
        if (policy::is_system_username(options->username)) {
          return fail(ErrorCode::kRuleViolation, "the system user cannot be deleted");
        }
        return app.core().users().delete_user(options->username);
      });
      if (status) std::cout << "deleted user " << shown(options->username) << '\n';
      return report(status);
    });
  });
}

void add_unlock(CLI::App& group, CliContext& context, const Options& options) {
  auto* unlock = group.add_subcommand(
      "unlock", "Clear a throttled account's failed-login counts (from every address)");
  unlock->add_option("--username", options->username, "User name")->required();
  set_example(*unlock, "automation user unlock --username ana");
  unlock->callback([&context, options] {
    run_on_database(context, [&](app::Application& app) {
      auto cleared = run_audited(app, "account_unlock", options->username,
                                 [&]() -> Result<std::int64_t> {
                                   auto user = app.core().get_user(options->username);
                                   if (!user) return fail(user.error());
                                   return app.core().unlock_account(*user);
                                 });
      const Status status = status_of(cleared);
      if (cleared) {
        std::cout << "unlocked " << shown(options->username) << " (" << *cleared
                  << " failures cleared)\n";
      }
      return report(status);
    });
  });
}

void add_mfa_reset(CLI::App& group, CliContext& context, const Options& options) {
  auto* reset = group.add_subcommand(
      "mfa-reset",
      "Remove a user's multi-factor authentication (any user, sudo ones too), e.g. after a "
      "lost phone; they log in with the password alone, and may enroll again");
  reset->add_option("--username", options->username, "User name")->required();
  set_example(*reset, "automation user mfa-reset --username ana");
  reset->callback([&context, options] {
    run_on_database(context, [&](app::Application& app) {
      auto reset_done =
          run_audited(app, "mfa_reset", options->username, [&]() -> Result<bool> {
            auto user = app.core().get_user(options->username);
            if (!user) return fail(user.error());
            MfaService* mfa = app.core().mfa();
            if (mfa == nullptr) {
              return fail(ErrorCode::kUnavailable, "multi-factor authentication is not available");
            }
            return mfa->remove(*user);
          });
      if (reset_done) {
        std::cout << (*reset_done ? "removed the multi-factor authentication of "
                                  : "no multi-factor authentication was enabled for ")
                  << options->username << '\n';
      }
      return report(status_of(reset_done));
    });
  });
}

}  // namespace

void add_user_commands(CLI::App& cli, CliContext& context) {
  auto& group = add_command_group(cli, "user", "Create, list, change and delete users",
                                  "automation user list");
  // The options' storage lives as long as the callbacks that capture it.
  auto options = std::make_shared<UserOptions>();
  add_create(group, context, options);
  add_list(group, context, options);
  add_set_password(group, context, options);
  add_set_role(group, context, options);
  add_delete(group, context, options);
  add_unlock(group, context, options);
  add_mfa_reset(group, context, options);
}

}  // namespace automation::cli
