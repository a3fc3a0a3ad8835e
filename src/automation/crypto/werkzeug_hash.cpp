#include "automation/crypto/werkzeug_hash.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>

#include <array>
#include <charconv>
#include <climits>
#include <optional>
#include <span>
#include <string>

#include "automation/crypto/hex.hpp"

namespace automation::crypto {

namespace {

// werkzeug 3.1 defaults for methods written without parameters.
constexpr std::uint64_t kDefaultPbkdf2Iterations = 1'000'000;
constexpr std::uint64_t kDefaultScryptN = 32768;
constexpr std::uint64_t kDefaultScryptR = 8;
constexpr std::uint64_t kDefaultScryptP = 1;
constexpr std::size_t kScryptKeyBytes = 64;  // hashlib.scrypt's default dklen

enum class Kind { kPbkdf2, kScrypt, kSaltedDigest };

struct ParsedHash {
  Kind kind = Kind::kPbkdf2;
  const EVP_MD* md = nullptr;  // pbkdf2 and legacy digests
  std::uint64_t iterations = 0;
  std::uint64_t n = 0;
  std::uint64_t r = 0;
  std::uint64_t p = 0;
  std::string_view salt;
  std::string_view digest_hex;
  std::size_t key_bytes = 0;
};

// Python's int() also takes "+5", " 5", "5_0" and non-ASCII digits; werkzeug never writes
// those, so only plain ASCII digits are accepted (stricter can only mean "no match").
// Values above `max` are rejected without overflowing.
std::optional<std::uint64_t> parse_bounded(std::string_view text, std::uint64_t max) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

// The digests werkzeug's pbkdf2 and legacy methods are used with in practice.
const EVP_MD* digest_by_name(std::string_view name) {
  if (name == "sha256") return EVP_sha256();
  if (name == "sha512") return EVP_sha512();
  if (name == "sha1") return EVP_sha1();
  return nullptr;
}

// Splits `text` on ':' like Python's str.split(":"); more than N parts gives nullopt.
template <std::size_t N>
std::optional<std::size_t> split_colons(std::string_view text,
                                        std::array<std::string_view, N>& parts) {
  std::size_t count = 0;
  while (true) {
    if (count == N) return std::nullopt;
    const auto colon = text.find(':');
    parts[count++] = text.substr(0, colon);
    if (colon == std::string_view::npos) return count;
    text.remove_prefix(colon + 1);
  }
}

bool parse_pbkdf2(std::span<const std::string_view> args, ParsedHash& out) {
  // werkzeug 3.1: no args -> sha256 + default; one -> hash name + default; two -> both.
  if (args.size() > 2) return false;  // werkzeug: "'pbkdf2' takes 2 arguments."
  std::string_view hash_name = "sha256";
  std::uint64_t iterations = kDefaultPbkdf2Iterations;
  if (args.size() >= 1) hash_name = args[0];
  if (args.size() == 2) {
    const auto parsed = parse_bounded(args[1], WerkzeugLimits::kMaxPbkdf2Iterations);
    if (!parsed || *parsed == 0) return false;
    iterations = *parsed;
  }
  out.kind = Kind::kPbkdf2;
  out.md = digest_by_name(hash_name);
  if (out.md == nullptr) return false;
  out.iterations = iterations;
  out.key_bytes = static_cast<std::size_t>(EVP_MD_get_size(out.md));
  return true;
}

bool parse_scrypt(std::span<const std::string_view> args, ParsedHash& out) {
  std::uint64_t n = kDefaultScryptN;
  std::uint64_t r = kDefaultScryptR;
  std::uint64_t p = kDefaultScryptP;
  if (args.size() == 3) {
    const auto pn = parse_bounded(args[0], WerkzeugLimits::kMaxScryptN);
    const auto pr = parse_bounded(args[1], WerkzeugLimits::kMaxScryptR);
    const auto pp = parse_bounded(args[2], WerkzeugLimits::kMaxScryptP);
    if (!pn || !pr || !pp) return false;
    n = *pn;
    r = *pr;
    p = *pp;
  } else if (!args.empty()) {
    return false;  // werkzeug: "'scrypt' takes 3 arguments."
  }
  // scrypt needs N a power of two greater than 1; r, p at least 1.
  if (n < 2 || (n & (n - 1)) != 0 || r == 0 || p == 0) return false;
  // Each factor is bounded above, so the product cannot overflow 64 bits.
  if (128 * n * r * p > WerkzeugLimits::kMaxScryptBytes) return false;
  out.kind = Kind::kScrypt;
  out.n = n;
  out.r = r;
  out.p = p;
  out.key_bytes = kScryptKeyBytes;
  return true;
}

bool parse_method(std::string_view method, ParsedHash& out) {
  std::array<std::string_view, 4> parts;
  const auto count = split_colons(method, parts);
  if (!count) return false;
  const std::span<const std::string_view> args(parts.data() + 1, *count - 1);
  if (parts[0] == "pbkdf2") return parse_pbkdf2(args, out);
  if (parts[0] == "scrypt") return parse_scrypt(args, out);
  // Legacy salted digests (werkzeug <= 2.3): the method is the bare hashlib name.
  // "plain" (the password itself) and every other name are deliberately unsupported.
  if (*count == 1 && (parts[0] == "sha256" || parts[0] == "sha1")) {
    out.kind = Kind::kSaltedDigest;
    out.md = digest_by_name(parts[0]);
    out.key_bytes = static_cast<std::size_t>(EVP_MD_get_size(out.md));
    return true;
  }
  return false;
}

std::optional<ParsedHash> parse(std::string_view stored) {
  // werkzeug: method, salt, hashval = pwhash.split("$", 2) -- the first two '$' only,
  // so a '$' inside hashval stays there (and then fails the hex check below).
  const auto first = stored.find('$');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = stored.find('$', first + 1);
  if (second == std::string_view::npos) return std::nullopt;

  ParsedHash parsed;
  if (!parse_method(stored.substr(0, first), parsed)) return std::nullopt;
  parsed.salt = stored.substr(first + 1, second - first - 1);
  parsed.digest_hex = stored.substr(second + 1);
  if (parsed.salt.size() > WerkzeugLimits::kMaxSaltBytes) return std::nullopt;
  // werkzeug compares the whole lowercase hex text: a digest of another length or case
  // can never match, so reject it before deriving anything.
  if (parsed.digest_hex.size() != 2 * parsed.key_bytes) return std::nullopt;
  if (!detail::is_lower_hex(parsed.digest_hex)) return std::nullopt;
  return parsed;
}

// OpenSSL wants non-null pointers even for empty inputs in some code paths.
const unsigned char* bytes_of(std::string_view text) {
  static constexpr unsigned char kEmpty[1] = {0};
  return text.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(text.data());
}

bool derive(const ParsedHash& h, std::string_view password, std::span<unsigned char> key) {
  if (password.size() > INT_MAX) return false;  // OpenSSL's int lengths
  const auto* pw = bytes_of(password);
  const auto* salt = bytes_of(h.salt);
  const int pw_len = static_cast<int>(password.size());
  const int salt_len = static_cast<int>(h.salt.size());
  switch (h.kind) {
    case Kind::kPbkdf2:
      return PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(pw), pw_len, salt, salt_len,
                               static_cast<int>(h.iterations), h.md, static_cast<int>(key.size()),
                               key.data()) == 1;
    case Kind::kScrypt: {
      // werkzeug passes maxmem = 132 * N * r * p to hashlib (OpenSSL); using the same
      // value means we accept exactly the parameter sets werkzeug can compute.
      const std::uint64_t maxmem = 132 * h.n * h.r * h.p;
      return EVP_PBE_scrypt(reinterpret_cast<const char*>(pw), password.size(), salt, h.salt.size(),
                            h.n, h.r, h.p, maxmem, key.data(), key.size()) == 1;
    }
    case Kind::kSaltedDigest: {
      unsigned int out_len = 0;
      if (h.salt.empty()) {
        // werkzeug <= 2.3: no salt means hashlib.new(method, password), a plain digest.
        return EVP_Digest(pw, password.size(), key.data(), &out_len, h.md, nullptr) == 1 &&
               out_len == key.size();
      }
      return HMAC(h.md, salt, salt_len, pw, password.size(), key.data(), &out_len) != nullptr &&
             out_len == key.size();
    }
  }
  return false;
}

}  // namespace

bool is_werkzeug_hash(std::string_view stored) noexcept { return parse(stored).has_value(); }

bool verify_werkzeug_hash(std::string_view password, std::string_view stored) {
  const auto parsed = parse(stored);
  if (!parsed) return false;
  std::array<unsigned char, EVP_MAX_MD_SIZE> key{};
  static_assert(EVP_MAX_MD_SIZE >= kScryptKeyBytes);
  const std::span<unsigned char> key_view(key.data(), parsed->key_bytes);
  if (!derive(*parsed, password, key_view)) {
    OPENSSL_cleanse(key.data(), key.size());
    return false;
  }
  std::string computed = detail::to_lower_hex(key_view);
  OPENSSL_cleanse(key.data(), key.size());
  // Same length by construction (parse() checked the stored length).
  const bool equal =
      CRYPTO_memcmp(computed.data(), parsed->digest_hex.data(), computed.size()) == 0;
  OPENSSL_cleanse(computed.data(), computed.size());
  return equal;
}

Result<std::string> make_werkzeug_pbkdf2_hash(std::string_view password,
                                              std::uint32_t iterations) {
  if (password.size() > INT_MAX) return fail(ErrorCode::kInvalidArgument, "password too long");
  // werkzeug's gen_salt(16): letters and digits. Rejection sampling keeps the choice uniform.
  static constexpr std::string_view kSaltChars =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  constexpr std::size_t kSaltLength = 16;
  std::string salt;
  while (salt.size() < kSaltLength) {
    unsigned char byte = 0;
    if (RAND_bytes(&byte, 1) != 1) return fail(ErrorCode::kInternal, "RAND_bytes failed");
    if (byte < 248) salt += kSaltChars[byte % kSaltChars.size()];  // 248 = 4 * 62
  }
  std::array<unsigned char, 32> key{};
  if (PKCS5_PBKDF2_HMAC(password.empty() ? "" : password.data(),
                        static_cast<int>(password.size()), bytes_of(salt),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        static_cast<int>(key.size()), key.data()) != 1) {
    OPENSSL_cleanse(key.data(), key.size());
    return fail(ErrorCode::kInternal, "PBKDF2 failed");
  }
  std::string hash = "pbkdf2:sha256:" + std::to_string(iterations) + "$" + salt + "$" +
                     detail::to_lower_hex(key);
  OPENSSL_cleanse(key.data(), key.size());
  return hash;
}

}  // namespace automation::crypto
