// `automation ldap ...`: try a directory login step by step (`test`), and run the leavers'
// sync once (`sync`). See docs/directory-login.md.

#include <iostream>
#include <memory>
#include <string>

#include "automation/cli/commands.hpp"
#include "automation/core/directory_rules.hpp"

namespace automation::cli {
namespace {

struct LdapOptions {
  std::string username;
};

// Each step, the entry and the role; exit 0 only for a login that would succeed.
int test_login(app::Application& app, const std::string& username, const std::string& password) {
  DirectoryPort* directory = app.directory();
  if (directory == nullptr) {
    return report_failure(
        Error::make(ErrorCode::kInvalidArgument, "directory login is off (AUTOMATION_LDAP_URLS)"));
  }
  std::vector<DirectoryStep> steps;
  const DirectoryAnswer answer = directory->authenticate(username, password, &steps);
  for (const DirectoryStep& step : steps) {
    print_row({step.ok ? "ok" : "FAILED", step.what, step.outcome});
  }
  std::string result = answer.outcome == DirectoryOutcome::kAuthenticated
                           ? std::string("authenticated")
                           : std::string(refusal_reason(answer.outcome));
  int exit_code = kExitFailure;
  if (answer.outcome == DirectoryOutcome::kAuthenticated && answer.entry) {
    const DirectoryEntry& entry = *answer.entry;
    print_row({"dn", entry.dn});
    print_row({"username", entry.username});
    print_row({"email", entry.email});
    for (const std::string& group : entry.groups) print_row({"group", group});
    auto roles = app.core().roles().list_visible_roles();  // sudo is never mapped anyway
    if (!roles) return report_failure(roles.error());
    const auto role =
        role_for_groups(entry.groups, app.core().settings().directory.group_roles, *roles);
    if (role) {
      print_row({"role", role->name});
      exit_code = kExitOk;
    } else {
      print_row({"role", "none: no group maps to a role, the login would be refused"});
      result = "refused: no mapped group";
    }
  } else if (!answer.detail.empty()) {
    print_row({"detail", answer.detail});
  }
  print_row({"result", result});
  // A password attempt made from the shell is on the trail too (never the password).
  (void)app.core().audit().record(AuditRecord{"ldap_test",
                                              "cli",
                                              username,
                                              "cli",
                                              {exit_code == kExitOk ? "success" : "failure",
                                               exit_code == kExitOk ? std::string() : result}});
  return exit_code;
}

int sync_once(app::Application& app) {
  auto report = app.sync_directory();
  if (!report) return report_failure(report.error());
  if (report->unreachable) {
    std::cerr << "automation: no directory server could be reached, nothing changed: "
              << shown(report->detail) << '\n';
    return kExitFailure;
  }
  std::cout << "checked " << report->checked << " user(s) with sessions: " << report->sessions_ended
            << " lost their sessions, " << report->roles_changed << " changed role, "
            << report->errors << " error(s)\n";
  return report->errors == 0 ? kExitOk : kExitFailure;
}

}  // namespace

void add_ldap_commands(CLI::App& cli, CliContext& context) {
  auto& group = add_command_group(cli, "ldap", "Directory login (LDAP, Active Directory)",
                                  "echo \"$PASSWORD\" | automation ldap test --username ana");
  auto options = std::make_shared<LdapOptions>();

  auto* test = group.add_subcommand(
      "test",
      "Try a directory login (password on stdin) and print each step: the servers tried, the "
      "DN found, the groups and the role they map to; creates no user and no session");
  test->add_option("--username", options->username, "User name")->required();
  set_example(*test, "automation ldap test --username ana < password.txt");
  test->callback([&context, options] {
    run_on_database(context, [&](app::Application& app) {
      return test_login(app, options->username, password_or_stdin(std::nullopt));
    });
  });

  auto* sync = group.add_subcommand(
      "sync",
      "Re-read every directory user with a live session now: leavers lose their sessions, "
      "changed groups change the role (what the server does every AUTOMATION_LDAP_SYNC_SECONDS)");
  set_example(*sync, "automation ldap sync");
  sync->callback([&context] { run_on_database(context, sync_once); });
}

}  // namespace automation::cli
