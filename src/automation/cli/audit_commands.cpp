// `automation audit tail`: the most recent security events, oldest of them first.
// `automation audit verify`: walks the audit chain (core/audit_chain.hpp).

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <ranges>
#include <string>
#include <string_view>

#include "automation/cli/commands.hpp"
#include "automation/core/time_format.hpp"
#include "automation/http/json_views.hpp"

namespace automation::cli {
namespace {

struct AuditOptions {
  int limit = 20;
  bool json = false;
};

// The API's bound on one read of the trail (GET /api/users/audit?limit=).
constexpr int kMaxLimit = 1000;

// (Both arms string_view: with "-" against a std::string the result would be a temporary.)
std::string_view or_dash(const std::string& text) {
  return text.empty() ? std::string_view("-") : std::string_view(text);
}

void print_event(const AuditEvent& event) {
  print_row({format_utc(event.time), event.event, or_dash(event.actor), or_dash(event.target),
             or_dash(event.address), event.outcome, event.reason});
}

// 0 when the chain is intact; 1 when it is broken (the first problem is printed) or cannot
// be read.
int verify_chain(app::Application& app) {
  auto report = app.verify_audit_chain();
  if (!report) return report_failure(report.error());
  if (report->first_problem) {
    const auto& problem = *report->first_problem;
    std::cout << "audit chain BROKEN (" << to_string(problem.kind) << "): " << shown(problem.detail)
              << '\n'
              << report->events_checked << " events verified before it (seq "
              << report->first_seq << " onwards)\n";
    return kExitFailure;
  }
  std::cout << "audit chain intact: " << report->events_checked << " events, seq "
            << report->first_seq << ".." << report->last_seq << '\n';
  // Cutting off the newest events and moving the head back shows only against a head kept
  // elsewhere: this line is what to keep.
  if (report->last_seq > 0) {
    std::cout << "head: seq " << report->last_seq << ", MAC " << shown(report->last_mac) << '\n';
  }
  return kExitOk;
}

}  // namespace

void add_audit_commands(CLI::App& cli, CliContext& context) {
  auto& group = add_command_group(cli, "audit", "Read and verify the audit log",
                                  "automation audit tail --limit 50");
  auto options = std::make_shared<AuditOptions>();

  auto* tail = group.add_subcommand(
      "tail", "The last N events, oldest first: time (UTC), event, actor, target, address, "
              "outcome, reason");
  tail->add_option("--limit", options->limit, "How many events (1-1000)")
      ->capture_default_str()
      ->check(CLI::Range(1, kMaxLimit));
  tail->add_flag("--json", options->json,
                 "Print a JSON array (the API's audit event objects) instead");
  set_example(*tail, "automation audit tail --limit 50 --json | jq '.[] | select(.outcome != \"success\")'");
  tail->callback([&context, options] {
    run_on_database(context, [&](app::Application& app) {
      auto events = app.core().audit().recent({.limit = options->limit});  // newest first
      if (!events) return report_failure(events.error());
      auto chronological = *events | std::views::reverse;
      if (options->json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& event : chronological) out.push_back(http::audit_event_json(event));
        print_json(out);
      } else {
        for (const auto& event : chronological) print_event(event);
      }
      return kExitOk;
    });
  });

  auto* verify = group.add_subcommand(
      "verify", "Walk the audit chain and report the first event changed, removed or inserted "
                "(exit 1 when broken)");
  set_example(*verify, "automation audit verify --db-file /var/lib/automation/app.db");
  verify->callback([&context] { run_on_database(context, verify_chain); });
}

}  // namespace automation::cli
