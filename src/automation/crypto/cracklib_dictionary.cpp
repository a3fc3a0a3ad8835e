#include "automation/crypto/cracklib_dictionary.hpp"

#include <crack.h>

#include <filesystem>
#include <memory>

namespace automation::crypto {

Result<std::unique_ptr<CracklibDictionary>> CracklibDictionary::open(std::string path) {
  if (path.empty()) path = GetDefaultCracklibDict();
  for (const char* suffix : {".pwd", ".pwi", ".hwm"}) {
    std::error_code ec;
    if (!std::filesystem::exists(path + suffix, ec)) {
      return fail(ErrorCode::kInvalidArgument,
                  "the cracklib dictionary " + path + suffix +
                      " is missing (install cracklib-runtime)");
    }
  }
  return std::unique_ptr<CracklibDictionary>(new CracklibDictionary(std::move(path)));
}

std::optional<std::string> CracklibDictionary::weakness(std::string_view password,
                                                        std::string_view username) {
  // C strings: a NUL inside would hide the rest (validation refuses such passwords first).
  const std::string pw(password);
  const std::string user(username);
  const std::lock_guard lock(mutex_);
  const char* why = FascistCheckUser(pw.c_str(), path_.c_str(), user.c_str(), nullptr);
  if (why == nullptr) return std::nullopt;
  return std::string(why);
}

}  // namespace automation::crypto
