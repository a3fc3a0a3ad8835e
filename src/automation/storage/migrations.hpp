#pragma once

#include <cstddef>

#include "automation/core/error.hpp"

namespace automation::storage {

class Database;

// Highest schema version this program knows how to create.
int latest_schema_version() noexcept;

// How many migrations this program has: fewer than latest_schema_version() while a number is
// kept free for a migration of another branch (each applied one is a row of schema_version).
std::size_t schema_migration_count() noexcept;

// Highest version recorded in schema_version (0 when the table is absent or empty).
Result<int> current_schema_version(Database& db);

// Brings the schema up to latest_schema_version(): each pending migration runs in its own
// write transaction and is recorded in schema_version; applied ones are skipped, so
// running it again is a no-op, and two processes migrating one fresh database at once
// both succeed (the loser sees the version already recorded). Tables PyAutomation already
// created are kept as they are. Afterwards it makes sure the case-insensitive unique
// indexes exist where the data allows (see ensure_case_insensitive_indexes).
// A database migrated by a newer program (higher version) is accepted as is: migrations
// only add, so older code keeps working on it during a rolling upgrade.
Status migrate(Database& db);

// Creates, if missing, the unique indexes on lower(users.username), lower(users.email)
// and lower(roles.name) that make uniqueness case-insensitive. An existing PyAutomation
// database may already hold names differing only in case; then that one index cannot be
// built, and it is skipped instead of refusing to start: the stores check uniqueness
// case-insensitively inside each write transaction anyway, and the index is retried at
// every start, so it appears once the duplicates are resolved. Returns how many of the
// three indexes exist afterwards.
Result<int> ensure_case_insensitive_indexes(Database& db);

}  // namespace automation::storage
