#include "automation/app/database_file_mode.hpp"

#include <sys/stat.h>

#include <cstdio>

namespace automation::app {

std::vector<std::string> database_files_others_can_read(const config::DatabaseConfig& database) {
  std::vector<std::string> exposed;
  if (database.type != "sqlite" || database.file == ":memory:" ||
      database.file.starts_with("file:")) {
    return exposed;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string path = database.file + suffix;
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0 || (info.st_mode & (S_IRWXG | S_IRWXO)) == 0) continue;
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    exposed.push_back(path + " (mode " + mode + ")");
  }
  return exposed;
}

}  // namespace automation::app
