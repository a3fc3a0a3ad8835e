#include "automation/http/request_id.hpp"

#include <array>
#include <charconv>
#include <random>

namespace automation::http {

bool is_valid_request_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > kMaxRequestIdBytes) return false;
  for (const char c : id) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == ':' || c == '-';
    if (!safe) return false;
  }
  return true;
}

RequestIdGenerator::RequestIdGenerator() {
  // Not a secret: it only has to differ between processes.
  std::random_device device;
  const std::uint64_t prefix = (std::uint64_t{device()} << 32) | device();
  std::array<char, 16> digits{};
  auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), prefix, 16);
  prefix_.assign(static_cast<std::size_t>(16 - (end - digits.data())), '0');
  prefix_.append(digits.data(), end);
  prefix_ += '-';
}

std::string RequestIdGenerator::next() {
  const std::uint64_t n = counter_.fetch_add(1, std::memory_order_relaxed);
  std::array<char, 16> digits{};
  auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), n, 16);
  std::string id;
  id.reserve(prefix_.size() + 16);
  id += prefix_;
  id.append(digits.data(), end);
  return id;
}

}  // namespace automation::http
