#pragma once

// Checking signatures: each seal against the published key it names, and, over all of them in
// the order they were made, that every countersignature verifies an earlier signature of the
// same record by another person (docs/signatures.md "Verifying"). Used by the API, by
// `automation signature verify` on a database, and on an export with no database at all.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "automation/core/signature.hpp"

namespace automation {

class SignatureVerifier {
 public:
  SignatureVerifier(const SealChecker& checker, const std::vector<SigningPublicKey>& keys);

  // Why the signature does not verify: its key is unknown, or the seal does not match its
  // fields (something was changed after signing, or it was forged); nullopt when intact.
  std::optional<std::string> problem(const Signature& signature) const;
  bool knows_key(const std::string& key_id) const { return keys_.contains(key_id); }

 private:
  const SealChecker& checker_;
  std::unordered_map<std::string, SigningPublicKey> keys_;
};

struct SignatureFinding {
  std::string signature_id;
  std::int64_t position = 0;  // 1 for the first signature made
  std::string problem;
};

// Feed it every signature in the order they were made.
class SignatureWalk {
 public:
  explicit SignatureWalk(const SignatureVerifier& verifier) : verifier_(verifier) {}

  // False once a problem is found (then first_problem() says which; later calls are ignored).
  bool add(const Signature& signature);

  std::int64_t checked() const { return checked_; }
  const std::optional<SignatureFinding>& first_problem() const { return first_problem_; }
  // How many intact signatures each key sealed.
  const std::map<std::string, std::int64_t>& per_key() const { return per_key_; }

 private:
  struct Seen {
    SignedRecord record;
    std::string signer_id;
    bool verified = false;
  };
  const SignatureVerifier& verifier_;
  std::int64_t checked_ = 0;
  std::optional<SignatureFinding> first_problem_;
  std::map<std::string, std::int64_t> per_key_;
  std::unordered_map<std::string, Seen> seen_;
};

}  // namespace automation
