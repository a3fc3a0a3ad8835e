// `automation serve`: the HTTP API server.

#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>
#include <optional>

#include "automation/app/descriptor_limit.hpp"
#include "automation/app/heap_tuning.hpp"
#include "automation/app/logging.hpp"
#include "automation/app/observability.hpp"
#include "automation/app/periodic_task.hpp"
#include "automation/cli/commands.hpp"
#include "automation/http/listen_address.hpp"
#include "automation/http/login_time.hpp"
#include "automation/http/server.hpp"
#include "automation/oidc/oidc_keys.hpp"

namespace automation::cli {
namespace {

// How often the counts of repeated refusals whose window ended are written.
constexpr int kRepeatCountWriteInterval = 10;

// The connection limit and timeouts for the server: the configured limit, or one derived from
// the (raised) descriptor limit; logged once, with a warning when a configured limit leaves too
// few descriptors for the database and files.
void apply_connection_limits(const config::ServerConfig& server,
                             const app::DescriptorLimit& descriptors,
                             http::ServerOptions& options) {
  const auto reserve = app::reserved_descriptors(descriptors.soft);
  options.max_connections = server.max_connections != 0
                                ? server.max_connections
                                : app::default_max_connections(descriptors.soft);
  options.max_connections_per_address = server.max_connections_per_address != 0
                                            ? server.max_connections_per_address
                                            : (options.max_connections + 9) / 10;
  options.read_timeout = std::chrono::seconds(server.read_timeout_seconds);
  options.write_timeout = std::chrono::seconds(server.write_timeout_seconds);
  options.response_memory_bytes = server.response_memory_mib << 20;
  spdlog::info("descriptor limit {} (was {}), max connections {} ({} per address), read "
               "timeout {} s, write timeout {} s",
               descriptors.soft, descriptors.soft_before, options.max_connections,
               options.max_connections_per_address, server.read_timeout_seconds,
               server.write_timeout_seconds);
  if (options.max_connections + reserve > descriptors.soft) {
    spdlog::warn("AUTOMATION_MAX_CONNECTIONS={} leaves fewer than {} of {} descriptors for the "
                 "database and files; at the limit, accepting pauses until descriptors free up",
                 options.max_connections, reserve, descriptors.soft);
  }
}

// HTTPS when both TLS files are set (checked now, so a bad file changes nothing); otherwise
// plain HTTP, with one warning line when the address is reachable from the network.
Status choose_transport(const config::ServerConfig& server, http::ServerOptions& options) {
  if (server.tls_cert_file.empty()) {
    if (!http::is_loopback_host(server.host)) {
      spdlog::warn("listening on {} with plain HTTP: passwords and API keys cross the network "
                   "unencrypted; set AUTOMATION_TLS_CERT_FILE and AUTOMATION_TLS_KEY_FILE",
                   server.host);
    }
    return {};
  }
  http::TlsFiles files{server.tls_cert_file, server.tls_key_file};
  if (auto checked = http::check_tls_files(files); !checked) return checked;
  options.tls = std::move(files);
  return {};
}

// CORS, the session cookie and the login page's return addresses, as the settings say.
http::FrontDoorOptions front_door_options(const config::FrontDoorConfig& config, bool tls,
                                          ForwardAuth& forward_auth) {
  using Mode = config::FrontDoorConfig::CorsMode;
  http::FrontDoorOptions options;
  const auto mode = config.cors_mode == Mode::kListed ? http::CorsPolicy::Mode::kListed
                    : config.cors_mode == Mode::kOff  ? http::CorsPolicy::Mode::kOff
                                                      : http::CorsPolicy::Mode::kAnyOrigin;
  options.cors = http::CorsPolicy(mode, config.cors_origins);
  options.cookie.secure = tls || config.cookie_secure;
  options.cookie.domain = config.cookie_domain;
  for (const auto& host : config.login_redirect_hosts) {
    // Normalized by the settings table, so this cannot fail.
    if (auto pattern = parse_host(host)) options.redirect_hosts.push_back(std::move(*pattern));
  }
  options.forward_auth = &forward_auth;
  return options;
}

// One log line for what a directory sync pass did, when it did anything worth saying.
void log_directory_sync(const Result<DirectorySyncReport>& report) {
  if (!report) {
    spdlog::warn("directory sync failed: {}", report.error().message);
  } else if (report->unreachable) {
    spdlog::warn("directory sync: no directory server could be reached, nothing changed: {}",
                 report->detail);
  } else if (report->sessions_ended + report->roles_changed + report->errors > 0) {
    spdlog::info(
        "directory sync: {} user(s) checked, {} lost their sessions, {} changed role, "
        "{} error(s) (audited)",
        report->checked, report->sessions_ended, report->roles_changed, report->errors);
  }
}

// One log line for what a retention run did, when it did anything worth saying.
void log_audit_retention(const Result<AuditRetentionOutcome>& outcome,
                         const AuditRetentionSettings& settings) {
  if (!outcome) {
    spdlog::warn("audit retention failed: {}", outcome.error().message);
    return;
  }
  if (outcome->pruned.removed > 0) {
    spdlog::info("audit retention pruned {} events (audited)", outcome->pruned.removed);
  }
  if (outcome->crossed_warning) {
    spdlog::warn("audit store holds {} events, {}% of its capacity (AUTOMATION_AUDIT_MAX_EVENTS={});"
                 " the oldest are pruned beyond it: export them if they must be kept",
                 outcome->events_stored, outcome->percent_of_capacity, settings.max_events);
  }
}

int serve(CliContext& context) {
  auto config = load_config_or_report(context);
  if (!config) return context.exit_code;
  app::configure_logging(config->logging);
  // Checked before the database is touched, so a typo changes nothing.
  if (auto zone = http::LoginTime::create(config->server.timezone); !zone) {
    std::cerr << "automation: configuration error: AUTOMATION_TIMEZONE: "
              << shown(zone.error().message) << std::endl;
    return kExitUsage;
  }
  http::ServerOptions options;
  if (auto transport = choose_transport(config->server, options); !transport) {
    std::cerr << "automation: configuration error: " << shown(transport.error().message)
              << std::endl;
    return kExitUsage;
  }
  if (!app::keep_freed_heap_memory_for_reuse()) spdlog::debug("the heap thresholds were not set");
  // Before the database opens, so every descriptor the process will use is under one limit.
  const auto descriptors = app::raise_descriptor_limit();
  auto app = start_application(*config, context, /*serving=*/true);
  if (!app) return context.exit_code;
  apply_connection_limits(config->server, descriptors, options);
  options.host = config->server.host;
  options.port = config->server.port;
  options.io_threads = config->server.threads;
  options.hash_threads = config->server.threads;
  options.timezone = config->server.timezone;
  options.trusted_proxies = config->server.trusted_proxies;
  options.front_door = front_door_options(config->front_door, options.tls.has_value(),
                                          app->forward_auth());
  // The OpenID Connect provider, when on: its keys and what clients are told.
  if (oidc::OidcKeys* keys = app->oidc_keys()) {
    const config::OidcConfig& oidc = config->oidc;
    options.oidc = http::OidcOptions{keys,
                                     oidc.issuer,
                                     oidc.id_token_seconds,
                                     oidc.access_token_seconds,
                                     oidc.refresh_token_seconds,
                                     oidc.code_seconds};
    options.oidc_provider = app->oidc_provider();
    spdlog::info("OpenID Connect provider on, issuer {}", oidc.issuer);
  }
  // Bring cached lookups up to date once per request; where that is a database round trip,
  // once per batch of requests (see http/freshness_gate.hpp).
  if (app->lookups_check_remotely()) {
    options.batched_freshness = http::FreshnessHooks{
        [&app] { return app->refresh_lookups(); },
        [&app](std::uint64_t epoch) { app->enter_fresh_request(epoch); },
        [&app] { app->end_request(); }};
  } else {
    options.request_begins = [&app] { app->begin_request(); };
    options.request_ends = [&app] { app->end_request(); };
  }
  auto observability = app::Observability::start(*config, *app);
  if (!observability) {
    std::cerr << "automation: " << shown(observability.error().message) << std::endl;
    return kExitFailure;
  }
  (*observability)->attach(options);
  // Keys made before this start are answered from memory at their first use too. Failing
  // to load only costs those first uses a database read each.
  const auto load_started = std::chrono::steady_clock::now();
  if (auto loaded = app->load_existing_sessions(); !loaded) {
    spdlog::warn("loading the stored sessions into memory failed: {}", loaded.error().message);
  } else if (*loaded > 0) {
    spdlog::info("loaded {} stored sessions into memory in {} ms", *loaded,
                 std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - load_started)
                     .count());
  }
  // Audit retention: once now, then hourly on a thread of its own.
  const auto retention_settings = config->core.audit_retention;
  log_audit_retention(app->enforce_audit_retention(), retention_settings);
  app::PeriodicTask audit_retention(std::chrono::hours(1), [&app, retention_settings] {
    log_audit_retention(app->enforce_audit_retention(), retention_settings);
  });
  // Expired OpenID Connect codes and refresh tokens are swept hourly (and at start).
  app::PeriodicTask oidc_grants(std::chrono::hours(1), [&app] {
    if (auto swept = app->sweep_expired_oidc_grants(); !swept) {
      spdlog::warn("deleting expired OpenID Connect grants failed: {}", swept.error().message);
    }
  });
  // Sessions' last uses, gathered in memory, are written every few seconds (and at the end).
  app::PeriodicTask session_uses(std::chrono::seconds(kSessionUseWriteInterval), [&app] {
    if (auto flushed = app->flush_session_uses(); !flushed) {
      spdlog::warn("recording when sessions were last used failed (kept for the next try): {}",
                   flushed.error().message);
    }
  });
  // Refusals repeated within a window are counted in memory (core/repeated_refusals.hpp);
  // each count is written soon after its window ends, and every one left at the end.
  app::PeriodicTask repeat_counts(std::chrono::seconds(kRepeatCountWriteInterval), [&app] {
    if (auto written = app->write_audit_repeat_counts(); !written) {
      spdlog::warn("writing the counts of repeated refusals failed: {}",
                   written.error().message);
    }
  });
  // Signing keys rotated by another node or `automation oidc rotate-keys` are picked up here
  // (and sooner by a JWKS request or a token of an unknown kid).
  std::optional<app::PeriodicTask> oidc_key_reload;
  if (app->oidc_keys() != nullptr && app->oidc_keys()->reloads()) {
    oidc_key_reload.emplace(std::chrono::seconds(app::kOidcKeyReloadSeconds), [&app] {
      if (auto refreshed = app->refresh_oidc_keys(); !refreshed) {
        spdlog::warn("reading the OIDC signing keys again failed (the keys in force stay): {}",
                     refreshed.error().message);
      }
    });
  }
  // Leavers: the directory users with sessions, re-read every AUTOMATION_LDAP_SYNC_SECONDS.
  std::optional<app::PeriodicTask> directory_sync;
  if (config->core.directory.enabled && config->ldap_sync_seconds > 0) {
    directory_sync.emplace(std::chrono::seconds(config->ldap_sync_seconds),
                           [&app] { log_directory_sync(app->sync_directory()); });
  }
  const std::string database = app->database_label();
  auto served = http::run_server(app->api(), options, [&](const std::string& address) {
    spdlog::info("automation {} listening on {} database={}", AUTOMATION_VERSION, address,
                 database);
  });
  if (!served) {
    std::cerr << "automation: cannot serve: " << shown(served.error().message) << std::endl;
    return kExitFailure;
  }
  if (auto written = app->write_audit_repeat_counts(/*all=*/true); !written) {
    spdlog::warn("writing the counts of repeated refusals failed: {}", written.error().message);
  }
  spdlog::info("automation stopped");
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& cli, CliContext& context) {
  auto* serve_cmd = cli.add_subcommand("serve", "Run the HTTP API server until SIGINT/SIGTERM");
  serve_cmd->fallthrough();
  add_setting_flags(*serve_cmd, context, config::FlagScope::kServe);
  set_example(*serve_cmd, "automation --db-file /var/lib/automation/app.db serve --host 0.0.0.0 --port 8050");
  serve_cmd->callback([&context] { context.exit_code = serve(context); });
}

}  // namespace automation::cli
