#pragma once

// The OpenID Connect provider's signing keys as a test server keeps them (SQLite), read by the
// test process itself: for tokens the provider did not mint (another key's, an expired one's)
// and for outside checks of what it publishes.

#include <memory>
#include <stdexcept>

#include <gtest/gtest.h>

#include "automation/app/oidc_key_source.hpp"
#include "automation/app/system_clock.hpp"
#include "automation/oidc/key_set.hpp"
#include "automation/oidc/oidc_keys.hpp"
#include "automation/storage/database.hpp"
#include "automation/storage/sql_settings_store.hpp"
#include "server_process.hpp"

namespace automation::testing {

// The keys as the server resolves them, read by this process from the server's database.
inline std::shared_ptr<const oidc::OidcKeySet> keys_kept_by(const ServerProcess& server) {
  storage::DatabaseOptions options;
  options.type = "sqlite";
  options.file = server.db_file().string();
  options.pool_size = 1;
  auto db = storage::Database::open(options);
  if (!db) throw std::runtime_error(db.error().message);
  storage::SqlSettingsStore settings(**db);
  app::SystemClock clock;
  config::OidcConfig config;
  config.enabled = true;
  auto resolved = app::resolve_oidc_keys(config, settings, clock);
  if (!resolved) throw std::runtime_error(resolved.error().message);
  EXPECT_TRUE(resolved->from_database);
  return resolved->keys->current();
}

}  // namespace automation::testing
