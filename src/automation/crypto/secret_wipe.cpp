#include "automation/crypto/secret_wipe.hpp"

#include <sodium.h>

namespace automation::crypto {

void wipe_secret(std::string& text) noexcept {
  // The whole capacity: earlier, longer contents may linger past size() (resize within
  // the capacity does not reallocate).
  text.resize(text.capacity());
  sodium_memzero(text.data(), text.size());
  text.clear();
}

}  // namespace automation::crypto
