// Lists the users of an automation SQLite database and, given a username, checks a
// password read from standard input, through the installed library (automation::core).
//
//   list_users /var/lib/automation/app.db            # identifier, username, role per line
//   list_users /var/lib/automation/app.db ana < pw   # also "ana: password ok" (exit 0) or
//                                                     # "ana: wrong password" (exit 1)

#include <automation/app/application.hpp>
#include <automation/app/version.hpp>
#include <automation/config/loader.hpp>

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: list_users DATABASE_FILE [USERNAME < password]\n";
    return 2;
  }
  // The same settings the server reads, here only the database file.
  auto config = automation::config::load({.flags = {{"AUTOMATION_DB_FILE", argv[1]}}});
  if (!config) {
    std::cerr << "configuration: " << config.error().message << '\n';
    return 2;
  }
  // Opens (and migrates) the database, as the server does at start.
  automation::app::BootstrapReport report;
  auto app = automation::app::Application::start(*config, report);
  if (!app) {
    std::cerr << "cannot open " << argv[1] << ": " << app.error().message << '\n';
    return 1;
  }
  automation::UsersCore& core = (*app)->core();

  std::cout << "automation library " << automation::library_version() << '\n';
  auto users = core.list_users();
  if (!users) {
    std::cerr << users.error().message << '\n';
    return 1;
  }
  for (const automation::User& user : *users) {
    std::cout << user.identifier << '\t' << user.username << '\t' << user.role.name << '\n';
  }

  if (argc == 3) {
    std::string password;
    std::getline(std::cin, password);
    automation::Credentials credentials{argv[2], std::nullopt, password};
    auto user = core.verify_credentials(credentials, "list_users");
    std::cout << argv[2] << (user ? ": password ok" : ": wrong password") << '\n';
    return user ? 0 : 1;
  }
  return 0;
}
