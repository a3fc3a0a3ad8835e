#pragma once

// Electronic signatures (docs/signatures.md): who may sign with which meaning, the two
// components of §11.200(a)(1), countersigning by another person, and the seal that binds each
// signature to its record (§11.70). Signatures are only ever added.
//
// The continuous session of §11.200(a)(1) is the API session (key) the signer signs with: from
// its login until it ends (logout, expiry, idle timeout, a password change, the user's
// deletion). The first signature in it needs both the username and the password; once it has
// signed (the store marks it), later signatures in it need the password alone. A new login is
// a new session, so its first signature needs both again.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/ports.hpp"
#include "automation/core/session_service.hpp"
#include "automation/core/settings.hpp"
#include "automation/core/signature.hpp"
#include "automation/core/signature_check.hpp"

namespace automation {

// Error::type of a signing refused for wrong credentials (counted like a failed login).
inline constexpr std::string_view kInvalidSignatureCredentials = "invalid_credentials";

inline constexpr std::size_t kMaxSignatureComment = 1000;  // characters
inline constexpr std::size_t kMaxRecordType = 64;
inline constexpr std::size_t kMaxRecordId = 255;  // characters

// A signature as read back: with what it takes to show it (§11.50) and to trust it.
struct SignatureView {
  Signature signature;
  bool intact = false;           // its seal verifies with the published key it names
  std::string problem;           // why not, when !intact
  bool verification_required = false;  // its meaning needs a second person (setting)
  std::optional<Signature> verification;  // the countersignature, if any
};

// POST /api/signatures/verify's answer.
struct SignatureVerification {
  SignatureView view;
  // Whether the record digest the caller gave is the one signed; nullopt when none was given.
  std::optional<bool> matches_record;
};

// GET /api/signatures/keys: every key that ever sealed, and the one sealing now.
struct PublishedKeys {
  std::vector<SigningPublicKey> keys;  // oldest first
  std::string current_key_id;
};

class SignatureService {
 public:
  struct Ports {
    SignatureStore& store;
    SignatureSealer& sealer;
    SealChecker& checker;
    PasswordStore& passwords;
    RandomSource& random;
    Clock& clock;
  };
  // second_factor: the signer's MFA check (MfaSignatureFactor); nullptr without MFA.
  SignatureService(const Ports& ports, SessionService& sessions, const CoreSettings& settings,
                   SignatureSecondFactor* second_factor = nullptr);

  // Every field check of a sign request (cheap: no database, no KDF), merged into one
  // kInvalidArgument naming each bad field.
  Status validate(const SignRequest& request) const;

  // Signs for `signer` (a session principal): validation, the meaning's role rule, the
  // countersignature rules, then the credentials (one KDF, throttled and counted like a login:
  // a wrong password is kPermissionDenied "Invalid credentials", too many are kThrottled), the
  // second factor, and an expired password (kPermissionDenied, type password_expired). Then
  // the signature is sealed and stored and the session marked as one that signed. Run it in a
  // unit of work with its audit event (SignatureApi does).
  Result<Signature> sign(const Principal& signer, const SignRequest& request,
                         std::string_view address);

  // kNotFound "Signature <id> not found".
  Result<SignatureView> get(std::string_view id);
  Result<std::vector<SignatureView>> list(const std::optional<std::string>& record_type,
                                          const std::optional<std::string>& record_id,
                                          const std::optional<std::string>& signer_id, int limit);
  // The stored signature, checked, and compared with the record digest when one is given.
  Result<SignatureVerification> verify(std::string_view id,
                                       const std::optional<std::string>& record_digest);
  // Every public key that ever sealed a signature (the current one included), oldest first.
  Result<PublishedKeys> keys();
  // Records the current key among the published ones (at start; idempotent).
  Status publish_current_key();
  // Checks every stored signature in the order they were made (`automation signature verify`).
  Result<SignatureWalk> verify_all(const SignatureVerifier& verifier);
  // A verifier with every published key.
  Result<std::unique_ptr<SignatureVerifier>> make_verifier();
  // Every stored signature in the order made, page by page (export); `next` as the store's.
  Result<std::vector<Signature>> signatures_in_order(std::int64_t after, int limit,
                                                     std::int64_t& next) {
    return ports_.store.signatures_in_order(after, limit, next);
  }
  const SignatureSettings& settings() const { return settings_.signatures; }

 private:
  // The verified signature of a countersignature, once the rules allow it; fills in the
  // record from it when the request names none.
  Result<Signature> verified_signature(const Principal& signer, const SignRequest& request,
                                       SignedRecord& record);
  // Username and password (first signature of the session) or the password alone.
  Result<std::string> check_components(const Principal& signer, const SignRequest& request,
                                        std::string_view address);
  Result<SignatureView> view_of(Signature signature);
  // The verifier of the published keys; reloaded when `key_id` is not among them (a key
  // another node started with).
  Result<std::shared_ptr<const SignatureVerifier>> verifier_for(const std::string& key_id);

  Ports ports_;
  SessionService& sessions_;
  const CoreSettings& settings_;
  SignatureSecondFactor* second_factor_;
  // The published keys, loaded at first use and again when a signature names an unknown one.
  std::mutex verifier_mutex_;
  std::shared_ptr<const SignatureVerifier> verifier_;
};

}  // namespace automation
