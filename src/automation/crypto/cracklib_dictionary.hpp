#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "automation/core/ports.hpp"

namespace automation::crypto {

// PasswordDictionary on cracklib (FascistCheckUser): dictionary words and their variants,
// the user's name, too-simple patterns. cracklib keeps its dictionary in static state and is
// not thread-safe, so calls are serialized; each takes microseconds, far below a KDF.
class CracklibDictionary final : public PasswordDictionary {
 public:
  // kInvalidArgument when the dictionary files (<path>.pwd, .pwi, .hwm; Debian's
  // cracklib-runtime builds them) are missing. "" = cracklib's default dictionary.
  static Result<std::unique_ptr<CracklibDictionary>> open(std::string path = {});

  std::optional<std::string> weakness(std::string_view password,
                                      std::string_view username) override;

 private:
  explicit CracklibDictionary(std::string path) : path_(std::move(path)) {}

  std::string path_;
  std::mutex mutex_;
};

}  // namespace automation::crypto
