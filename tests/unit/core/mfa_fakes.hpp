#pragma once

// In-memory implementations of the MFA ports (core/mfa_ports.hpp), for core unit tests. The
// SQL stores are checked against the same behaviour by tests/contract/mfa_store_test.cpp.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "automation/core/mfa_ports.hpp"

namespace automation::testing {

class InMemoryMfaStore : public MfaStore {
 public:
  // Marks a session as verified by a second factor (confirm_totp); set by the fixture.
  std::function<void(std::string_view digest)> mark_session;

  Result<std::optional<TotpRecord>> find_totp(std::int64_t user_id) override {
    auto found = totp_.find(user_id);
    if (found == totp_.end()) return std::optional<TotpRecord>();
    return std::optional<TotpRecord>(found->second);
  }
  Status put_pending_totp(std::int64_t user_id, std::string_view sealed_secret,
                          UnixSeconds now) override {
    auto found = totp_.find(user_id);
    if (found != totp_.end() && found->second.confirmed) {
      return fail(ErrorCode::kAlreadyExists, "confirmed");
    }
    totp_[user_id] = TotpRecord{std::string(sealed_secret), false, now, 0, 0};
    return {};
  }
  Status confirm_totp(std::int64_t user_id, std::int64_t step, UnixSeconds now,
                      const std::vector<std::string>& recovery_digests,
                      std::string_view session_digest) override {
    auto found = totp_.find(user_id);
    if (found == totp_.end() || found->second.confirmed) return fail(ErrorCode::kNotFound, "none");
    found->second.confirmed = true;
    found->second.confirmed_at = now;
    found->second.last_step = step;
    codes_[user_id] = std::multiset<std::string>(recovery_digests.begin(), recovery_digests.end());
    if (!session_digest.empty() && mark_session) mark_session(session_digest);
    return {};
  }
  Result<bool> advance_totp_step(std::int64_t user_id, std::int64_t step) override {
    auto found = totp_.find(user_id);
    if (found == totp_.end() || !found->second.confirmed || found->second.last_step >= step) {
      return false;
    }
    found->second.last_step = step;
    return true;
  }
  Result<bool> use_recovery_code(std::int64_t user_id, std::string_view digest) override {
    auto& codes = codes_[user_id];
    auto found = codes.find(std::string(digest));
    if (found == codes.end()) return false;
    codes.erase(found);
    return true;
  }
  Result<int> recovery_codes_left(std::int64_t user_id) override {
    return static_cast<int>(codes_[user_id].size());
  }
  Status replace_recovery_codes(std::int64_t user_id,
                                const std::vector<std::string>& digests) override {
    codes_[user_id] = std::multiset<std::string>(digests.begin(), digests.end());
    return {};
  }
  Result<bool> remove_mfa(std::int64_t user_id) override {
    auto found = totp_.find(user_id);
    const bool confirmed = found != totp_.end() && found->second.confirmed;
    totp_.erase(user_id);
    codes_.erase(user_id);
    return confirmed;
  }

 private:
  std::map<std::int64_t, TotpRecord> totp_;
  std::map<std::int64_t, std::multiset<std::string>> codes_;
};

class InMemoryMfaChallengeStore : public MfaChallengeStore {
 public:
  Status add_challenge(const MfaChallenge& challenge) override {
    std::erase_if(challenges_,
                  [&](const auto& entry) { return entry.second.expires_at <= challenge.created_at; });
    challenges_[challenge.token_digest] = challenge;
    return {};
  }
  Result<std::optional<MfaChallenge>> find_challenge(std::string_view token_digest) override {
    auto found = challenges_.find(std::string(token_digest));
    if (found == challenges_.end()) return std::optional<MfaChallenge>();
    return std::optional<MfaChallenge>(found->second);
  }
  Result<bool> consume_challenge(std::string_view token_digest, UnixSeconds now) override {
    auto found = challenges_.find(std::string(token_digest));
    if (found == challenges_.end() || found->second.expires_at <= now) return false;
    challenges_.erase(found);
    return true;
  }
  std::size_t size() const { return challenges_.size(); }

 private:
  std::map<std::string, MfaChallenge> challenges_;
};

// A stand-in for HOTP: a code that depends on key and counter only (the real arithmetic is
// crypto/otp.cpp's, checked against the RFC vectors).
class FakeOtp : public OtpGenerator {
 public:
  std::string hotp(std::string_view key, std::uint64_t counter, int digits) override {
    std::uint64_t value = counter * 7919;
    for (const char c : key) value = value * 31 + static_cast<unsigned char>(c);
    std::string code = std::to_string(value % 1'000'000);
    code.insert(0, static_cast<std::size_t>(digits) - code.size(), '0');
    return code;
  }
};

// "box:<context>|<plaintext>", opened only for its context: what the core may rely on.
class FakeSecretBox : public SecretBox {
 public:
  std::string seal(std::string_view plaintext, std::string_view context) override {
    return "box:" + std::string(context) + "|" + std::string(plaintext);
  }
  Result<std::string> open(std::string_view sealed, std::string_view context) override {
    const std::string prefix = "box:" + std::string(context) + "|";
    if (!sealed.starts_with(prefix)) return fail(ErrorCode::kInternal, "does not open");
    return std::string(sealed.substr(prefix.size()));
  }
};

}  // namespace automation::testing
