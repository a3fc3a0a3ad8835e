#include "automation/crypto/sodium_runtime.hpp"

#include <sodium.h>

#include <stdexcept>

namespace automation::crypto::detail {

void ensure_sodium_initialized() {
  // A function-local static gives "once" with the compiler's thread-safe initialization;
  // sodium_init() itself is idempotent, this just avoids calling it on every hash.
  static const int rc = sodium_init();
  if (rc < 0) {
    throw std::runtime_error("libsodium initialization failed");
  }
}

}  // namespace automation::crypto::detail
