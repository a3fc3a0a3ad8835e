#include "automation/config/secret_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace automation::config {

Result<std::string> read_secret_file(const std::string& setting, const std::string& path) {
  const std::string name = setting + " (" + path + ")";
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return fail(ErrorCode::kInvalidArgument, name + ": " + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) {
    return fail(ErrorCode::kInvalidArgument, name + ": not a regular file");
  }
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return fail(ErrorCode::kInvalidArgument,
                name + ": readable or writable by group or others; chmod 600 it");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kInvalidArgument, name + ": cannot be read");
  std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

}  // namespace automation::config
