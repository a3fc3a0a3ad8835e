#pragma once

// Ports of multi-factor authentication: its records (storage/), the one-time-password
// arithmetic and the encryption of secrets at rest (crypto/). Kept apart from ports.hpp
// because a core may run without them (CorePorts::mfa null: nobody can enroll).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/error.hpp"
#include "automation/core/mfa_model.hpp"

namespace automation {

// Each user's TOTP secret and recovery codes. Every method is one transaction (or one step of
// a UnitOfWork). The conditional writes (advance_totp_step, use_recovery_code) are what keep
// a code single-use across threads and server processes.
class MfaStore {
 public:
  virtual ~MfaStore() = default;
  virtual Result<std::optional<TotpRecord>> find_totp(std::int64_t user_id) = 0;
  // Stores an unconfirmed secret, replacing an unconfirmed one; kAlreadyExists when the user
  // has a confirmed one (remove it first).
  virtual Status put_pending_totp(std::int64_t user_id, std::string_view sealed_secret,
                                  UnixSeconds now) = 0;
  // Activates the pending secret (confirmed at `now`, last_step = step), replaces the
  // recovery codes by `recovery_digests` and, when `session_digest` is not empty, marks that
  // session of the user as verified by a second factor; all in one transaction. kNotFound when
  // no unconfirmed secret is there (removed, or confirmed meanwhile).
  virtual Status confirm_totp(std::int64_t user_id, std::int64_t step, UnixSeconds now,
                              const std::vector<std::string>& recovery_digests,
                              std::string_view session_digest) = 0;
  // Moves a confirmed secret's last_step to `step` if it is lower, atomically: true when this
  // call moved it (the code is accepted), false when this step or a later one was used
  // already (by any process) or nothing confirmed is there.
  virtual Result<bool> advance_totp_step(std::int64_t user_id, std::int64_t step) = 0;
  // Deletes the user's recovery code with this digest: true when this call deleted it.
  virtual Result<bool> use_recovery_code(std::int64_t user_id, std::string_view digest) = 0;
  virtual Result<int> recovery_codes_left(std::int64_t user_id) = 0;
  virtual Status replace_recovery_codes(std::int64_t user_id,
                                        const std::vector<std::string>& digests) = 0;
  // Deletes the secret (confirmed or not) and the recovery codes; true when a confirmed
  // secret was there.
  virtual Result<bool> remove_mfa(std::int64_t user_id) = 0;
};

// Logins waiting for their second factor.
class MfaChallengeStore {
 public:
  virtual ~MfaChallengeStore() = default;
  // Stores it, and deletes challenges that expired by its created_at (housekeeping).
  virtual Status add_challenge(const MfaChallenge& challenge) = 0;
  virtual Result<std::optional<MfaChallenge>> find_challenge(std::string_view token_digest) = 0;
  // Deletes it unless it expired at `now`: true when this call consumed it (single use).
  virtual Result<bool> consume_challenge(std::string_view token_digest, UnixSeconds now) = 0;
};

// RFC 4226 HOTP with HMAC-SHA-1 (TOTP is HOTP of the time step, RFC 6238).
class OtpGenerator {
 public:
  virtual ~OtpGenerator() = default;
  // The `digits`-digit decimal code (leading zeros kept) of `counter` under `key` (raw bytes).
  virtual std::string hotp(std::string_view key, std::uint64_t counter, int digits) = 0;
};

// Authenticated encryption of secrets kept in the database, under a key that lives outside
// the core (AUTOMATION_MFA_KEY_FILE, or the settings table).
class SecretBox {
 public:
  virtual ~SecretBox() = default;
  // Text safe to store; opening it needs the same key and the same `context` (what the secret
  // belongs to), so a sealed secret copied to another record does not open.
  virtual std::string seal(std::string_view plaintext, std::string_view context) = 0;
  // kInternal when the text was altered, sealed for another context or under another key.
  virtual Result<std::string> open(std::string_view sealed, std::string_view context) = 0;
};

// Everything multi-factor authentication needs beyond the core's other ports.
struct MfaPorts {
  MfaStore& store;
  MfaChallengeStore& challenges;
  OtpGenerator& otp;
  SecretBox& box;
};

}  // namespace automation
