#include "automation/crypto/hex.hpp"

namespace automation::crypto::detail {

namespace {

char nibble_to_hex(unsigned int n) {
  // n in [0, 15]. For n >= 10 the mask adds 'a' - '0' - 10 (= 39), without a branch:
  // (9 - n) is negative exactly when n >= 10, so its sign bit selects the offset.
  const unsigned int offset = ((9U - n) >> 8U) & 39U;
  return static_cast<char>('0' + n + offset);
}

}  // namespace

std::string to_lower_hex(std::span<const unsigned char> bytes) {
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = nibble_to_hex(bytes[i] >> 4U);
    out[2 * i + 1] = nibble_to_hex(bytes[i] & 0x0FU);
  }
  return out;
}

bool is_lower_hex(std::string_view text) noexcept {
  for (const char c : text) {
    const bool digit = c >= '0' && c <= '9';
    const bool lower = c >= 'a' && c <= 'f';
    if (!digit && !lower) return false;
  }
  return true;
}

}  // namespace automation::crypto::detail
