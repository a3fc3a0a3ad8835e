// The `automation` command-line tool: starts the server and administers users, roles and
// third-party tokens on the configured database (SPEC §1.3, §5).

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "automation/app/application.hpp"
#include "automation/app/database_admin.hpp"
#include "automation/app/descriptor_limit.hpp"
#include "automation/config/loader.hpp"
#include "automation/core/time_format.hpp"
#include "automation/http/login_time.hpp"
#include "automation/http/server.hpp"

namespace {

using automation::Result;
using automation::Status;
using automation::app::Application;
using automation::app::BootstrapReport;

constexpr int kExitFailure = 1;
constexpr int kExitBadConfig = 2;

// Options shared by every subcommand; each one is also an AUTOMATION_* setting.
struct CommonFlags {
  std::string env_file = ".env";
  automation::config::Settings settings;
};

void add_setting_flag(CLI::App& app, CommonFlags& flags, const std::string& flag,
                      const std::string& key, const std::string& help) {
  app.add_option_function<std::string>(
         flag, [&flags, key](const std::string& value) { flags.settings[key] = value; },
         help + " (" + key + ")")
      ->type_name("VALUE");
}

Result<automation::config::Config> load_config(const CommonFlags& flags) {
  auto dotenv = automation::config::parse_dotenv(flags.env_file);
  if (!dotenv) return std::unexpected(dotenv.error());
  return automation::config::load(
      {std::move(*dotenv), automation::config::read_environment(), flags.settings});
}

// Prints what the bootstrap did that the operator must know; the generated password goes to
// stdout exactly once and never to the log.
void announce(const BootstrapReport& report, bool serving) {
  if (report.generated_system_password) {
    std::cout << "Created user 'system' (sudo) with password: "
              << *report.generated_system_password
              << "\nIt will not be shown again; set AUTOMATION_SUPERUSER_PASSWORD to choose it."
              << std::endl;
  }
  if (report.system_role_repaired) {
    spdlog::warn("the system user had lost the sudo role; it was given back (audited)");
  }
  if (serving && report.secret_from_database) {
    spdlog::warn(
        "AUTOMATION_APP_SECRET_KEY is not set: third-party tokens are signed with a secret "
        "generated and kept in the database");
  }
}

// The configuration, or nullopt after printing one line naming the bad key.
std::optional<automation::config::Config> load_config_or_report(const CommonFlags& flags,
                                                                int& exit_code) {
  auto config = load_config(flags);
  if (!config) {
    std::cerr << "automation: configuration error: " << config.error().message << std::endl;
    exit_code = kExitBadConfig;
    return std::nullopt;
  }
  return std::move(*config);
}

// Opens the database and bootstraps (roles, system user, TPT secret), reporting failures as
// one line. `serving` also warns about a database-kept TPT secret.
std::unique_ptr<Application> start_application(const automation::config::Config& config,
                                               int& exit_code, bool serving) {
  BootstrapReport report;
  auto app = Application::start(config, report);
  if (!app) {
    // A database that cannot be connected to is a setting to fix: name it, exit 2.
    const automation::Error error = automation::app::name_database_settings(app.error());
    std::cerr << "automation: cannot start: " << error.message << std::endl;
    exit_code =
        error.code == automation::ErrorCode::kInvalidArgument ? kExitBadConfig : kExitFailure;
    return nullptr;
  }
  announce(report, serving);
  return std::move(*app);
}

// For the administrative subcommands: configuration, then the application.
std::unique_ptr<Application> open_application(const CommonFlags& flags, int& exit_code) {
  auto config = load_config_or_report(flags, exit_code);
  if (!config) return nullptr;
  return start_application(*config, exit_code, /*serving=*/false);
}

int report(const Status& status) {
  if (status) return 0;
  std::cerr << "automation: " << status.error().message << std::endl;
  for (const auto& [field, why] : status.error().fields) {
    std::cerr << "  " << field << ": " << why << std::endl;
  }
  return kExitFailure;
}

// A password from the flag, or else one line from standard input (so it stays out of
// the shell history and the process list).
std::string password_or_stdin(const std::optional<std::string>& flag) {
  if (flag) return *flag;
  std::string line;
  std::cerr << "Password: " << std::flush;
  std::getline(std::cin, line);
  return line;
}

void print_user(const automation::User& user) {
  std::cout << user.identifier << '\t' << user.username << '\t' << user.email << '\t'
            << user.role.name << '(' << user.role.level << ")\t" << user.name.value_or("") << '\t'
            << user.lastname.value_or("") << '\n';
}

// The connection limit and timeouts for the server: the configured limit, or one derived from
// the (raised) descriptor limit; logged once, with a warning when a configured limit leaves too
// few descriptors for the database and files.
void apply_connection_limits(const automation::config::ServerConfig& server,
                             const automation::app::DescriptorLimit& descriptors,
                             automation::http::ServerOptions& options) {
  const auto reserve = automation::app::reserved_descriptors(descriptors.soft);
  options.max_connections = server.max_connections != 0
                                ? server.max_connections
                                : automation::app::default_max_connections(descriptors.soft);
  options.read_timeout = std::chrono::seconds(server.read_timeout_seconds);
  options.write_timeout = std::chrono::seconds(server.write_timeout_seconds);
  spdlog::info("descriptor limit {} (was {}), max connections {}, read timeout {} s, "
               "write timeout {} s",
               descriptors.soft, descriptors.soft_before, options.max_connections,
               server.read_timeout_seconds, server.write_timeout_seconds);
  if (options.max_connections + reserve > descriptors.soft) {
    spdlog::warn("AUTOMATION_MAX_CONNECTIONS={} leaves fewer than {} of {} descriptors for the "
                 "database and files; at the limit, accepting pauses until descriptors free up",
                 options.max_connections, reserve, descriptors.soft);
  }
}

int serve(const CommonFlags& flags) {
  int exit_code = 0;
  auto config = load_config_or_report(flags, exit_code);
  if (!config) return exit_code;
  // Checked before the database is touched, so a typo changes nothing.
  if (auto zone = automation::http::LoginTime::create(config->server.timezone); !zone) {
    std::cerr << "automation: configuration error: AUTOMATION_TIMEZONE: " << zone.error().message
              << std::endl;
    return kExitBadConfig;
  }
  // Before the database opens, so every descriptor the process will use is under one limit.
  const auto descriptors = automation::app::raise_descriptor_limit();
  auto app = start_application(*config, exit_code, /*serving=*/true);
  if (!app) return exit_code;
  automation::http::ServerOptions options;
  apply_connection_limits(config->server, descriptors, options);
  options.host = config->server.host;
  options.port = config->server.port;
  options.io_threads = config->server.threads;
  options.hash_threads = config->server.threads;
  options.timezone = config->server.timezone;
  options.trusted_proxies = config->server.trusted_proxies;
  // Bring cached lookups up to date once per request; where that is a database round trip,
  // once per batch of requests (see http/freshness_gate.hpp).
  if (app->lookups_check_remotely()) {
    options.batched_freshness = automation::http::FreshnessHooks{
        [&app] { return app->refresh_lookups(); },
        [&app](std::uint64_t epoch) { app->enter_fresh_request(epoch); },
        [&app] { app->end_request(); }};
  } else {
    options.request_begins = [&app] { app->begin_request(); };
    options.request_ends = [&app] { app->end_request(); };
  }
  const std::string database = app->database_label();
  auto served = automation::http::run_server(app->api(), options, [&](const std::string& address) {
    spdlog::info("automation {} listening on {} database={}", AUTOMATION_VERSION, address,
                 database);
  });
  if (!served) {
    std::cerr << "automation: cannot serve: " << served.error().message << std::endl;
    return kExitFailure;
  }
  spdlog::info("automation stopped");
  return 0;
}

// Exit codes of the db commands: 0 done; 2 a setting is wrong (the message names it:
// unreachable host, refused login, unknown database); 1 anything else (a missing or
// unreadable SQLite source, a non-empty target without --replace, a database error).
int db_failure(const automation::Error& error) {
  std::cerr << "automation: " << error.message << std::endl;
  return error.code == automation::ErrorCode::kInvalidArgument ? kExitBadConfig : kExitFailure;
}

int db_migrate(const CommonFlags& flags) {
  int exit_code = 0;
  auto config = load_config_or_report(flags, exit_code);
  if (!config) return exit_code;
  auto version = automation::app::migrate_database(*config);
  if (!version) return db_failure(version.error());
  std::cout << "schema version " << *version << '\n';
  return 0;
}

int db_copy_from_sqlite(const CommonFlags& flags, const std::string& source, bool replace) {
  int exit_code = 0;
  auto config = load_config_or_report(flags, exit_code);
  if (!config) return exit_code;
  auto counts = automation::app::copy_sqlite_database(*config, source, replace);
  if (!counts) return db_failure(counts.error());
  for (const auto& [table, rows] : *counts) std::cout << table << '\t' << rows << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("automation"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  CLI::App cli{"automation: user management and authentication for industrial automation"};
  cli.set_version_flag("--version", std::string(AUTOMATION_VERSION));
  cli.require_subcommand(1);
  CommonFlags flags;
  cli.add_option("--env-file", flags.env_file, "Settings file read before the environment")
      ->capture_default_str();
  add_setting_flag(cli, flags, "--db-type", "AUTOMATION_DB_TYPE", "sqlite, postgresql or mysql");
  add_setting_flag(cli, flags, "--db-file", "AUTOMATION_DB_FILE", "SQLite database file");
  add_setting_flag(cli, flags, "--db-host", "AUTOMATION_DB_HOST", "PostgreSQL/MySQL host");
  add_setting_flag(cli, flags, "--db-port", "AUTOMATION_DB_PORT", "PostgreSQL/MySQL port");
  add_setting_flag(cli, flags, "--db-name", "AUTOMATION_DB_NAME", "PostgreSQL/MySQL database");
  add_setting_flag(cli, flags, "--db-user", "AUTOMATION_DB_USER", "PostgreSQL/MySQL user");
  int exit_code = 0;

  auto* serve_cmd = cli.add_subcommand("serve", "Run the HTTP API server until SIGINT/SIGTERM");
  serve_cmd->fallthrough();
  add_setting_flag(*serve_cmd, flags, "--host", "AUTOMATION_HOST", "Address to listen on");
  add_setting_flag(*serve_cmd, flags, "--port", "AUTOMATION_PORT", "Port to listen on");
  add_setting_flag(*serve_cmd, flags, "--threads", "AUTOMATION_THREADS",
                   "I/O and hashing threads (0 = one per core)");
  add_setting_flag(*serve_cmd, flags, "--timezone", "AUTOMATION_TIMEZONE",
                   "IANA time zone of login times");
  add_setting_flag(*serve_cmd, flags, "--max-connections", "AUTOMATION_MAX_CONNECTIONS",
                   "Connections served at once (0 = from the descriptor limit)");
  add_setting_flag(*serve_cmd, flags, "--read-timeout", "AUTOMATION_READ_TIMEOUT",
                   "Seconds to receive a whole request, or to idle between requests");
  add_setting_flag(*serve_cmd, flags, "--write-timeout", "AUTOMATION_WRITE_TIMEOUT",
                   "Seconds to write a response");
  serve_cmd->callback([&] { exit_code = serve(flags); });

  // --- user ---
  auto* user_cmd = cli.add_subcommand("user", "Create, list and set passwords of users");
  user_cmd->require_subcommand(1);
  user_cmd->fallthrough();
  automation::SignupRequest new_user;
  std::optional<std::string> password_flag;
  auto* user_create = user_cmd->add_subcommand("create", "Create a user (any role, sudo too)");
  user_create->add_option("--username", new_user.username, "User name")->required();
  user_create->add_option("--email", new_user.email, "E-mail address")->required();
  user_create->add_option("--role", new_user.role_name, "Role name (default guest)");
  user_create->add_option("--name", new_user.name, "First name");
  user_create->add_option("--lastname", new_user.lastname, "Last name");
  user_create->add_option("--password", password_flag, "Password (default: read from stdin)");
  user_create->callback([&] {
    auto app = open_application(flags, exit_code);
    if (!app) return;
    new_user.password = password_or_stdin(password_flag);
    auto user = app->core().users().signup(new_user, /*allow_sudo=*/true);
    if (!user) {
      exit_code = report(std::unexpected(user.error()));
      return;
    }
    (void)app->core().audit().record("signup", "cli", user->username, "cli", "success");
    print_user(*user);
  });
  user_cmd->add_subcommand("list", "List users (sudo users left out, as in the API)")->callback([&] {
    auto app = open_application(flags, exit_code);
    if (!app) return;
    auto page = app->core().users().list_users();
    if (!page) {
      exit_code = report(std::unexpected(page.error()));
      return;
    }
    for (const auto& user : page->users) print_user(user);
  });
  std::string target_username;
  auto* set_password = user_cmd->add_subcommand("set-password", "Reset a user's password");
  set_password->add_option("--username", target_username, "User name")->required();
  set_password->add_option("--password", password_flag, "New password (default: stdin)");
  set_password->callback([&] {
    auto app = open_application(flags, exit_code);
    if (!app) return;
    auto status = app->core().reset_password(target_username, password_or_stdin(password_flag));
    (void)app->core().audit().record("password_reset", "cli", target_username, "cli",
                                     status ? "success" : "failure");
    exit_code = report(status);
  });
  std::string new_role_name;
  auto* set_role = user_cmd->add_subcommand(
      "set-role", "Move a user to a role (any role, sudo included: the local administrator's repair)");
  set_role->add_option("--username", target_username, "User name")->required();
  set_role->add_option("--role", new_role_name, "Role name")->required();
  set_role->callback([&] {
    auto app = open_application(flags, exit_code);
    if (!app) return;
    auto status = app->core().users().update_user_role(target_username, new_role_name,
                                                       /*allow_sudo=*/true);
    (void)app->core().audit().record("role_change", "cli", target_username + " -> " + new_role_name,
                                     "cli", status ? "success" : "failure",
                                     status ? "" : status.error().message);
    exit_code = report(status);
  });

  // --- role ---
  auto* role_cmd = cli.add_subcommand("role", "List and add roles");
  role_cmd->require_subcommand(1);
  role_cmd->fallthrough();
  role_cmd->add_subcommand("list", "List roles (sudo included)")->callback([&] {
    auto app = open_application(flags, exit_code);
    if (!app) return;
    auto roles = app->core().roles().list_visible_roles();
    if (!roles) {
      exit_code = report(std::unexpected(roles.error()));
      return;
    }
    std::cout << "sudo\t0\n";
    for (const auto& role : *roles) std::cout << role.name << '\t' << role.level << '\n';
  });
  std::string role_name;
  long long role_level = 0;
  auto* role_add = role_cmd->add_subcommand("add", "Add a role (level > 0)");
  role_add->add_option("--name", role_name, "Role name")->required();
  role_add->add_option("--level", role_level, "Level (lower = more privilege)")->required();
  role_add->callback([&] {
    auto app = open_application(flags, exit_code);
    if (!app) return;
    auto role = app->core().set_role(role_name, role_level);
    exit_code = report(role ? Status{} : Status{std::unexpected(role.error())});
    if (role) std::cout << role->name << '\t' << role->level << '\n';
  });

  // --- tpt ---
  auto* tpt_cmd = cli.add_subcommand("tpt", "Create, list and revoke third-party tokens");
  tpt_cmd->require_subcommand(1);
  tpt_cmd->fallthrough();
  automation::TptRequest tpt_request;
  auto* tpt_create = tpt_cmd->add_subcommand("create", "Create a token (printed once)");
  tpt_create->add_option("--role", tpt_request.role_name, "Role the token acts with")->required();
  tpt_create->add_option("--expires-in", tpt_request.expires_in_seconds, "Lifetime in seconds");
  tpt_create->add_option("--description", tpt_request.description, "What the token is for");
  tpt_create->callback([&] {
    auto app = open_application(flags, exit_code);
    if (!app) return;
    auto created = app->core().create_tpt(tpt_request, "cli");
    if (!created) {
      exit_code = report(std::unexpected(created.error()));
      return;
    }
    (void)app->core().audit().record("tpt_create", "cli", "tpt:" + created->record.jti, "cli",
                                     "success");
    std::cout << created->token << '\n';
    std::cerr << "jti " << created->record.jti << ", role " << created->record.role << '\n';
  });
  tpt_cmd->add_subcommand("list", "List tokens (never the token itself)")->callback([&] {
    auto app = open_application(flags, exit_code);
    if (!app) return;
    auto tpts = app->core().tpts().list_tpts();
    if (!tpts) {
      exit_code = report(std::unexpected(tpts.error()));
      return;
    }
    for (const auto& tpt : *tpts) {
      std::cout << tpt.jti << '\t' << tpt.role << '\t' << tpt.created_on << '\t'
                << tpt.expires_on.value_or("-") << '\t' << (tpt.revoked ? "revoked" : "active")
                << '\t' << tpt.description << '\n';
    }
  });
  std::string jti;
  auto* tpt_revoke = tpt_cmd->add_subcommand("revoke", "Revoke a token by its jti");
  tpt_revoke->add_option("--jti", jti, "Token id")->required();
  tpt_revoke->callback([&] {
    auto app = open_application(flags, exit_code);
    if (!app) return;
    auto status = app->core().tpts().revoke_tpt(jti);
    (void)app->core().audit().record("tpt_revoke", "cli", "tpt:" + jti, "cli",
                                     status ? "success" : "failure");
    exit_code = report(status);
  });

  // --- db ---
  auto* db_cmd = cli.add_subcommand("db", "Migrate the database, or copy a SQLite one into it");
  db_cmd->require_subcommand(1);
  db_cmd->fallthrough();
  db_cmd->add_subcommand("migrate", "Apply pending migrations and print the schema version")
      ->callback([&] { exit_code = db_migrate(flags); });
  std::string copy_source;
  bool copy_replace = false;
  auto* db_copy = db_cmd->add_subcommand(
      "copy",
      "Copy every table of a SQLite database into the configured (PostgreSQL or MySQL) one");
  db_copy->add_option("--from-sqlite", copy_source, "SQLite database file to copy from")
      ->required();
  db_copy->add_flag("--replace", copy_replace,
                    "Delete what the target holds first (refused otherwise when not empty)");
  db_copy->callback([&] { exit_code = db_copy_from_sqlite(flags, copy_source, copy_replace); });

  CLI11_PARSE(cli, argc, argv);
  return exit_code;
}
