#include "automation/app/key_file.hpp"

#include "automation/config/secret_file.hpp"

namespace automation::app {

namespace {

constexpr std::size_t kMinKeyBytes = 32;

}  // namespace

Result<std::string> read_key_file(std::string_view setting, const std::string& path) {
  auto key = config::read_secret_file(std::string(setting), path);
  if (!key) return key;
  if (key->size() < kMinKeyBytes) {
    return fail(ErrorCode::kInvalidArgument,
                std::string(setting) + " (" + path +
                    "): must hold at least 32 bytes (e.g. openssl rand -hex 32)");
  }
  return key;
}

}  // namespace automation::app
