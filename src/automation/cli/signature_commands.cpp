// `automation signature export`: every signature and the keys that sealed them, as JSON lines.
// `automation signature verify`: checks every signature of the database, or of an export with
// no database at all (docs/signatures.md "Verifying").

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "automation/cli/commands.hpp"
#include "automation/core/signature_check.hpp"
#include "automation/crypto/ed25519_sealer.hpp"
#include "automation/http/signature_views.hpp"

namespace automation::cli {
namespace {

constexpr int kPage = 1000;

struct SignatureOptions {
  std::string export_file;  // verify: the export to check instead of the database
  std::string output;       // export: the file to write ("" = standard output)
};

// One line for the operator: the verdict, and which keys sealed what was checked.
int report_walk(const SignatureWalk& walk, std::string_view source) {
  if (const auto& problem = walk.first_problem()) {
    // An export's ids and the problems that quote them come from a file: shown() escaped.
    std::cout << "signature " << shown(problem->signature_id) << " (#" << problem->position
              << " in " << shown(source) << ") FAILS: " << shown(problem->problem) << '\n'
              << walk.checked() << " signatures verified before it\n";
    return kExitFailure;
  }
  std::cout << "signatures intact: " << walk.checked() << " in " << shown(source);
  for (const auto& [key_id, count] : walk.per_key()) {
    std::cout << (key_id == walk.per_key().begin()->first ? "; sealed by key " : ", key ")
              << shown(key_id) << " (" << count << ")";
  }
  std::cout << '\n';
  return kExitOk;
}

int verify_database(app::Application& app) {
  SignatureService* signatures = app.core().signatures();
  auto verifier = signatures->make_verifier();
  if (!verifier) return report_failure(verifier.error());
  auto walk = signatures->verify_all(**verifier);
  if (!walk) return report_failure(walk.error());
  return report_walk(*walk, "the database");
}

// Reads the export twice: the keys first (wherever their lines are), then the signatures in
// order. Needs no database and no private key.
int verify_export(const std::string& file) {
  const auto open = [&file](std::ifstream& in) {
    in.open(file);
    if (!in) std::cerr << "automation: cannot read " << shown(file) << std::endl;
    return static_cast<bool>(in);
  };
  std::vector<SigningPublicKey> keys;
  std::vector<Signature> pending;
  std::ifstream in;
  if (!open(in)) return kExitFailure;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    auto item = http::parse_exported_line(line);
    if (!item) {
      std::cerr << "automation: " << shown(file) << ':' << number << ": "
                << shown(item.error().message);
      for (const auto& [field, why] : item.error().fields) {
        std::cerr << " (" << shown(field) << ' ' << shown(why) << ')';
      }
      std::cerr << std::endl;
      return kExitFailure;
    }
    if (item->key) keys.push_back(std::move(*item->key));
  }
  const crypto::Ed25519SealChecker checker;
  const SignatureVerifier verifier(checker, keys);
  SignatureWalk walk(verifier);
  std::ifstream again;
  if (!open(again)) return kExitFailure;
  while (std::getline(again, line)) {
    if (line.empty()) continue;
    auto item = http::parse_exported_line(line);
    if (item && item->signature && !walk.add(*item->signature)) break;
  }
  return report_walk(walk, file);
}

int export_signatures(app::Application& app, const std::string& output) {
  std::ofstream file;
  if (!output.empty()) {
    file.open(output, std::ios::trunc);
    if (!file) {
      std::cerr << "automation: cannot write " << shown(output) << std::endl;
      return kExitFailure;
    }
  }
  std::ostream& out = output.empty() ? std::cout : file;
  const auto dump = [&out](const nlohmann::json& value) {
    out << value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  };
  SignatureService* signatures = app.core().signatures();
  auto keys = signatures->keys();
  if (!keys) return report_failure(keys.error());
  for (const SigningPublicKey& key : keys->keys) dump(http::exported_key_json(key));
  std::int64_t after = 0;
  std::int64_t count = 0;
  for (;;) {
    std::int64_t next = after;
    auto page = signatures->signatures_in_order(after, kPage, next);
    if (!page) return report_failure(page.error());
    for (const Signature& signature : *page) dump(http::exported_signature_json(signature));
    count += static_cast<std::int64_t>(page->size());
    if (static_cast<int>(page->size()) < kPage) break;
    after = next;
  }
  out.flush();
  if (!out) {
    std::cerr << "automation: writing the export failed" << std::endl;
    return kExitFailure;
  }
  (void)app.core().audit().record(
      cli_audit_record("signature_export", std::to_string(count) + " signatures", Status{}));
  if (!output.empty()) {
    std::cerr << count << " signatures written to " << shown(output) << std::endl;
  }
  return kExitOk;
}

}  // namespace

void add_signature_commands(CLI::App& cli, CliContext& context) {
  auto& group = add_command_group(cli, "signature", "Export and verify electronic signatures",
                                  "automation signature verify");
  auto options = std::make_shared<SignatureOptions>();

  auto* verify = group.add_subcommand(
      "verify", "Check every signature's seal and countersignature rules, in the configured "
                "database or in an export (exit 1 naming the first that fails)");
  verify->add_option("--export", options->export_file,
                     "An export (automation signature export) to check instead of the "
                     "database; no database is opened");
  set_example(*verify, "automation signature verify --export signatures.jsonl");
  verify->callback([&context, options] {
    if (!options->export_file.empty()) {
      context.exit_code = verify_export(options->export_file);
      return;
    }
    run_on_database(context, verify_database);
  });

  auto* exported = group.add_subcommand(
      "export", "Every signature, in the order made, and the public keys that sealed them, as "
                "JSON lines (audited)");
  exported->add_option("--output", options->output, "File to write (default: standard output)");
  set_example(*exported, "automation signature export --output signatures.jsonl");
  exported->callback([&context, options] {
    run_on_database(context, [options](app::Application& app) {
      return export_signatures(app, options->output);
    });
  });
}

}  // namespace automation::cli
