#pragma once

// Electronic signatures (21 CFR Part 11 §11.50, §11.70, §11.200; IEC 62443-4-2 CR 2.1 RE4,
// CR 2.12): the values, and the ports the signature service needs (docs/signatures.md).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/error.hpp"
#include "automation/core/model.hpp"

namespace automation {

// What a signature signs: a record of the client's (a batch, a set-point change, an alarm)
// named by type and id, and the client's SHA-256 of its content (lowercase hex).
struct SignedRecord {
  std::string type;
  std::string id;
  std::string digest;
};

// How the signer proved who they were at signing (§11.200(a)(1)): both components (the first
// signature of a session) or the password alone (later ones in the same session).
inline constexpr std::string_view kSignedWithUsernameAndPassword = "username+password";
inline constexpr std::string_view kSignedWithPassword = "password";

// One stored signature. Every field but `value` is sealed (signature_message); `value` is the
// service's Ed25519 signature over them, made with the key `key_id` names.
struct Signature {
  std::string id;            // 32 lowercase hex characters, random
  std::string signer_id;     // the signer's user identifier (kept when the user is deleted)
  std::string username;      // as it was at signing
  std::string printed_name;  // name and lastname, else the username (§11.50(a)(1))
  std::string role;          // the signer's role at signing
  std::string meaning;       // e.g. "approved" (§11.50(a)(3))
  UnixSeconds signed_at = 0;  // UTC (§11.50(a)(2))
  SignedRecord record;
  std::string comment;             // "" when none
  std::string verifies;            // the verified signature's id; "" for a first signature
  std::string authentication;      // kSignedWithUsernameAndPassword or kSignedWithPassword
  std::string key_id;              // which signing key sealed it
  std::string value;               // base64 Ed25519 signature (64 bytes)
};

// POST /api/signatures: a signature, or with `verifies` the countersignature of one.
struct SignRequest {
  // Both components for the first signature of a session, the password alone for later ones
  // (§11.200(a)(1)); a username that is given must be the session's user's.
  std::optional<std::string> username;
  std::string password;
  // The signer's MFA code (TOTP or recovery code), required when the signer has MFA.
  std::optional<std::string> code;
  std::string meaning;
  // Required for a first signature; a countersignature takes the verified signature's record
  // (and refuses another one).
  std::optional<std::string> record_type;
  std::optional<std::string> record_id;
  std::optional<std::string> record_digest;
  std::optional<std::string> comment;
  std::optional<std::string> verifies;  // the id of the signature this one verifies
};

// A signing key's public half, as published (GET /api/signatures/keys).
struct SigningPublicKey {
  std::string key_id;      // 16 lowercase hex: the first 8 bytes of SHA-256(public key)
  std::string algorithm;   // "Ed25519"
  std::string public_key;  // base64 of the 32 raw bytes
  UnixSeconds first_used_at = 0;
};

// Signatures and what goes with them; append-only: nothing here updates or deletes a
// signature or a key (and the database's triggers refuse changes to signatures).
class SignatureStore {
 public:
  virtual ~SignatureStore() = default;
  // Appends; kAlreadyExists when the id is taken, or (field "verifies") when the verified
  // signature already has a verification.
  virtual Status add_signature(const Signature& signature) = 0;
  virtual Result<std::optional<Signature>> find_signature(std::string_view id) = 0;
  // The verification of the signature `id`, if any.
  virtual Result<std::optional<Signature>> find_verification(std::string_view id) = 0;
  // Filtered by record (type and id, when record_type is set) and by signer (when set);
  // newest first; at most limit.
  virtual Result<std::vector<Signature>> list_signatures(
      const std::optional<std::string>& record_type, const std::optional<std::string>& record_id,
      const std::optional<std::string>& signer_id, int limit) = 0;
  // Every signature in the order they were made, after position `after` (0: from the
  // first), at most limit; `next` is set to the position of the last one returned.
  virtual Result<std::vector<Signature>> signatures_in_order(std::int64_t after, int limit,
                                                             std::int64_t& next) = 0;
  // The first signing of the session whose key has this digest, if it signed (§11.200(a)).
  virtual Result<std::optional<UnixSeconds>> session_signed_at(std::string_view session_digest) = 0;
  // Marks the session as one that signed (kept until the session ends; a mark already there
  // stays as it is).
  virtual Status mark_session_signed(std::string_view session_digest, UnixSeconds at) = 0;
  // Records a public key unless its key id is there already (first writer wins).
  virtual Status add_public_key(const SigningPublicKey& key) = 0;
  // Every key ever used, oldest first.
  virtual Result<std::vector<SigningPublicKey>> public_keys() = 0;
};

// Seals messages with the service's signing key (Ed25519); the private key never leaves it.
class SignatureSealer {
 public:
  virtual ~SignatureSealer() = default;
  // The current key's public half (first_used_at unset).
  virtual const SigningPublicKey& public_key() const = 0;
  // base64 of the 64-byte Ed25519 signature of message with the current key.
  virtual std::string seal(std::string_view message) const = 0;
};

// Checks seals with a public key alone (offline verification needs no private key).
class SealChecker {
 public:
  virtual ~SealChecker() = default;
  // True when `value` (base64) is a valid Ed25519 signature of message by `key`; false for
  // anything malformed (a key or value that does not decode, another algorithm).
  virtual bool check(const SigningPublicKey& key, std::string_view message,
                     std::string_view value) const = 0;
};

// The second factor of a signer who has MFA (MfaSignatureFactor); without MFA in the core,
// SignatureService gets none and `SignRequest::code` is ignored.
class SignatureSecondFactor {
 public:
  virtual ~SignatureSecondFactor() = default;
  // Success when `user` has no MFA or `code` is right; a wrong or missing code fails (and is
  // throttled and audited like a wrong password, SPEC §8).
  virtual Status check(const User& user, const std::optional<std::string>& code,
                       std::string_view address) = 0;
};

}  // namespace automation
