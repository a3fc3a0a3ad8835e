#pragma once

// The storage layer's options for the configured database (one place for the mapping, so a
// new AUTOMATION_DB_* setting reaches serving and administrative commands alike).

#include <cstddef>

#include "automation/config/config.hpp"
#include "automation/storage/database.hpp"

namespace automation::app {

inline storage::DatabaseOptions database_options(const config::DatabaseConfig& db,
                                                 std::size_t pool_size) {
  storage::DatabaseOptions options;
  options.type = db.type;
  options.file = db.file;
  options.host = db.host;
  options.user = db.user;
  options.password = db.password;
  options.name = db.name;
  options.sslmode = db.sslmode;
  if (db.port != 0) options.port = db.port;
  options.pool_size = pool_size;
  return options;
}

}  // namespace automation::app
