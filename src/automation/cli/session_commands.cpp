// `automation session ...`: list a user's sessions and revoke them, by id or all at once.
// Sessions are shown by their public id; never a key or its digest.

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "automation/cli/commands.hpp"
#include "automation/core/time_format.hpp"
#include "automation/http/json_views.hpp"

namespace automation::cli {
namespace {

struct SessionOptions {
  std::string user;
  std::optional<std::string> revoke_user;
  std::optional<std::string> id;
  bool all = false;
  bool json = false;
};

void print_session(const SessionSummary& session) {
  print_row({session.id.empty() ? "-" : session.id, session.username,
             format_utc(session.created_at),
             session.expires_at == 0 ? "never" : format_utc(session.expires_at),
             session.last_used_at == 0 ? "-" : format_utc(session.last_used_at),
             session.client_address.empty() ? "-" : session.client_address});
}

using SharedSessionOptions = std::shared_ptr<SessionOptions>;

void add_list_sessions(CLI::App& group, CliContext& context, const SharedSessionOptions& options) {
  auto* list = group.add_subcommand(
      "list",
      "List a user's live sessions: id, username, created, expires, last used (UTC), "
      "client address");
  list->add_option("--user", options->user, "User name")->required();
  list->add_flag("--json", options->json, "Print a JSON array instead");
  set_example(*list, "automation session list --user ana");
  list->callback([&context, options] {
    run_on_database(context, [&](app::Application& app) {
      auto sessions = app.core().session_admin().list_sessions(options->user);
      if (!sessions) return report_failure(sessions.error());
      if (options->json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& session : *sessions) out.push_back(http::session_json(session));
        print_json(out);
      } else {
        for (const auto& session : *sessions) print_session(session);
      }
      return kExitOk;
    });
  });
}

int revoke_all(app::Application& app, const std::string& username) {
  auto count = run_audited(app, "session_revoke_all", username, [&] {
    return app.core().session_admin().revoke_all_sessions(username);
  });
  if (!count) return report_failure(count.error());
  std::cout << "revoked " << *count << " session(s) of " << shown(username) << '\n';
  return kExitOk;
}

int revoke_one(app::Application& app, const std::string& id,
               const std::optional<std::string>& username) {
  auto revoked = run_audited_naming(
      app, "session_revoke",
      [&](const Result<SessionSummary>& result) {
        return (result ? result->username : username.value_or("")) + " session " + id;
      },
      [&] { return app.core().session_admin().revoke_session(id, username); });
  if (!revoked) return report_failure(revoked.error());
  std::cout << "revoked session " << shown(id) << " of " << shown(revoked->username) << '\n';
  return kExitOk;
}

void add_revoke_sessions(CLI::App& group, CliContext& context,
                         const SharedSessionOptions& options) {
  auto* revoke = group.add_subcommand(
      "revoke",
      "End one session (--id, optionally checked against --user) or all of a user's "
      "(--user NAME --all); their keys stop working at once, on every server");
  auto* id = revoke->add_option("--id", options->id, "Session id (from 'session list')");
  auto* user = revoke->add_option("--user", options->revoke_user, "User name");
  auto* all = revoke->add_flag("--all", options->all, "Every session of --user");
  all->needs(user);
  all->excludes(id);
  set_example(*revoke,
              "automation session revoke --user ana --id 9f86d081884c7d65\n"
              "  automation session revoke --user ana --all");
  revoke->callback([&context, options] {
    if (!options->id && !options->all) {
      throw CLI::ValidationError("session revoke", "give --id ID, or --user NAME --all");
    }
    run_on_database(context, [&](app::Application& app) {
      return options->all ? revoke_all(app, *options->revoke_user)
                          : revoke_one(app, *options->id, options->revoke_user);
    });
  });
}

}  // namespace

void add_session_commands(CLI::App& cli, CliContext& context) {
  auto& group = add_command_group(cli, "session", "List and revoke users' sessions (API keys)",
                                  "automation session list --user ana");
  auto options = std::make_shared<SessionOptions>();
  add_list_sessions(group, context, options);
  add_revoke_sessions(group, context, options);
}

}  // namespace automation::cli
