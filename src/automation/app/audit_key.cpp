#include "automation/app/audit_key.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace automation::app {

namespace {

constexpr std::size_t kMinKeyBytes = 32;
constexpr const char* kSettingKey = "audit_hmac_key";

Result<std::string> read_key_file(const std::string& path) {
  const std::string name = "AUTOMATION_AUDIT_KEY_FILE (" + path + ")";
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

}  // namespace

Result<std::string> resolve_audit_key(const config::AuditConfig& config, SettingsStore& settings,
                                      RandomSource& random) {
  if (!config.key_file.empty()) return read_key_file(config.key_file);
  return settings.put_setting_if_absent(kSettingKey, random.random_hex(32));
}

}  // namespace automation::app
