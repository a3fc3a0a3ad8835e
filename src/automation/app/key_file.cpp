#include "automation/app/key_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace automation::app {

namespace {

constexpr std::size_t kMinKeyBytes = 32;

}  // namespace

Result<std::string> read_key_file(std::string_view setting, const std::string& path) {
  const std::string name = std::string(setting) + " (" + path + ")";
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
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  if (key.size() < kMinKeyBytes) {
    return fail(ErrorCode::kInvalidArgument,
                name + ": must hold at least 32 bytes (e.g. openssl rand -hex 32)");
  }
  return key;
}

}  // namespace automation::app
