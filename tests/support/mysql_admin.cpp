#include "mysql_admin.hpp"

#include <mysql.h>

#include <memory>
#include <stdexcept>

namespace automation::testing {

std::string mysql_admin_query(const MysqlLogin& login, const std::string& database,
                              const std::string& statement) {
  std::unique_ptr<MYSQL, decltype(&mysql_close)> conn(mysql_init(nullptr), &mysql_close);
  if (!mysql_real_connect(conn.get(), login.host.c_str(), login.user.c_str(),
                          login.password.c_str(), database.empty() ? nullptr : database.c_str(),
                          static_cast<unsigned>(login.port), nullptr, 0)) {
    throw std::runtime_error("cannot reach the MySQL test server: " +
                             std::string(mysql_error(conn.get())));
  }
  mysql_set_character_set(conn.get(), "utf8mb4");
  if (mysql_real_query(conn.get(), statement.data(), statement.size()) != 0) {
    throw std::runtime_error(statement + ": " + mysql_error(conn.get()));
  }
  std::unique_ptr<MYSQL_RES, decltype(&mysql_free_result)> result(mysql_store_result(conn.get()),
                                                                  &mysql_free_result);
  if (!result || mysql_num_fields(result.get()) == 0) return {};
  MYSQL_ROW row = mysql_fetch_row(result.get());
  return row != nullptr && row[0] != nullptr ? row[0] : "";
}

}  // namespace automation::testing
