#include "sqlite_file.hpp"

#include <sqlite3.h>

namespace automation::testing {

std::string sqlite_query(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    const std::string error = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return "cannot open: " + error;
  }
  sqlite3_busy_timeout(db, 5000);
  std::string result;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK) {
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
      if (!result.empty()) result += "\n";
      result += text != nullptr ? text : "";
    }
    if (rc != SQLITE_DONE) result = std::string("cannot query: ") + sqlite3_errmsg(db);
  } else {
    result = std::string("cannot query: ") + sqlite3_errmsg(db);
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return result;
}

std::string sqlite_execute(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  std::string result;
  if (sqlite3_open_v2(file.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    result = std::string("cannot open: ") + (db != nullptr ? sqlite3_errmsg(db) : "out of memory");
  } else {
    char* error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      result = std::string("cannot execute: ") + (error != nullptr ? error : "unknown error");
    }
    sqlite3_free(error);
  }
  sqlite3_close(db);
  return result;
}

std::string pragma_integrity_check(const std::filesystem::path& file) {
  return sqlite_query(file, "PRAGMA integrity_check");
}

}  // namespace automation::testing
