#pragma once

// Runs a SELECT into a reusable row binder and converts every fetched row (internal).

#include <string>
#include <vector>

#include "automation/storage/soci_support.hpp"

namespace automation::storage {

// `Row` binds its columns with `row.bind(statement)`; `convert(row)` makes one value per
// fetched row. `params` are bound by position, never spliced into the SQL.
template <typename Row, typename Convert, typename... Params>
auto query_rows(soci::session& sql, const std::string& query, Convert convert,
                const Params&... params) {
  using Value = decltype(convert(std::declval<Row&>()));
  Row row;
  soci::statement st(sql);
  row.bind(st);
  (st.exchange(soci::use(params)), ...);
  st.alloc();
  st.prepare(query);
  st.define_and_bind();
  std::vector<Value> values;
  if (st.execute(true)) {
    do {
      values.push_back(convert(row));
    } while (st.fetch());
  }
  return values;
}

// Runs a prepared query that selects at most one row; calls read() while that row is in the
// buffers and says whether there was one. The statement is then run to its end, which on
// SQLite ends the read transaction: a statement kept for reuse pins no snapshot in between.
template <typename Read>
bool fetch_single(soci::statement& st, Read read) {
  if (!st.execute(true)) return false;
  read();
  while (st.fetch()) {
  }
  return true;
}

}  // namespace automation::storage
