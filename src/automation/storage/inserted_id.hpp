#pragma once

// INSERT that answers the id the database assigned, in each dialect's way (internal).

#include <string>
#include <utility>

#include "automation/storage/dialect.hpp"
#include "automation/storage/soci_support.hpp"

namespace automation::storage {

// Runs `insert` (an INSERT into a table whose id the database assigns) with `uses`
// (soci::use(...) bindings) and returns the new row's id: through RETURNING where the
// database has it, else through LAST_INSERT_ID() on the same connection (MySQL 8 has no
// INSERT ... RETURNING; MariaDB has, but one way serves both).
template <typename... Uses>
long long insert_returning_id(soci::session& sql, const DialectSql& d, const std::string& insert,
                              Uses&&... uses) {
  long long id = 0;
  if (d.last_insert_id.empty()) {
    ((sql << insert + std::string(d.returning_id), soci::into(id)), ..., std::forward<Uses>(uses));
  } else {
    ((sql << insert), ..., std::forward<Uses>(uses));
    sql << d.last_insert_id, soci::into(id);
  }
  return id;
}

}  // namespace automation::storage
