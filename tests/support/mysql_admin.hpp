#pragma once

// A MySQL/MariaDB client for test set-up and checks (the contract and integration suites):
// what an administrator with the mysql command would do, without SOCI in the way.

#include <string>

namespace automation::testing {

struct MysqlLogin {
  std::string host;
  int port = 0;
  std::string user;
  std::string password;
};

// Runs one statement (in `database` when not empty) and returns the first column of the
// first row ("" when there is none or it is NULL). Throws std::runtime_error when the server
// cannot be reached or the statement fails.
std::string mysql_admin_query(const MysqlLogin& login, const std::string& database,
                              const std::string& statement);

}  // namespace automation::testing
