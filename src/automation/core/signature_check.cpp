#include "automation/core/signature_check.hpp"

#include "automation/core/signature_encoding.hpp"

namespace automation {

SignatureVerifier::SignatureVerifier(const SealChecker& checker,
                                     const std::vector<SigningPublicKey>& keys)
    : checker_(checker) {
  for (const SigningPublicKey& key : keys) keys_.emplace(key.key_id, key);
}

std::optional<std::string> SignatureVerifier::problem(const Signature& signature) const {
  const auto key = keys_.find(signature.key_id);
  if (key == keys_.end()) {
    return "sealed with key '" + signature.key_id + "', which is not a published signing key";
  }
  if (!checker_.check(key->second, signature_message(signature), signature.value)) {
    return "the seal does not match the signature's fields (changed after signing, or forged)";
  }
  return std::nullopt;
}

bool SignatureWalk::add(const Signature& signature) {
  if (first_problem_) return false;
  const std::int64_t position = checked_ + 1;
  auto found = [&](std::string problem) {
    first_problem_ = SignatureFinding{signature.id, position, std::move(problem)};
    return false;
  };
  if (auto problem = verifier_.problem(signature)) return found(std::move(*problem));
  if (seen_.contains(signature.id)) return found("the same signature id appears twice (copied)");
  if (!signature.verifies.empty()) {
    const auto original = seen_.find(signature.verifies);
    if (original == seen_.end()) {
      return found("verifies signature " + signature.verifies + ", which is not among the "
                   "signatures made before it");
    }
    Seen& verified = original->second;
    if (verified.record.type != signature.record.type ||
        verified.record.id != signature.record.id ||
        verified.record.digest != signature.record.digest) {
      return found("verifies signature " + signature.verifies + " of another record");
    }
    if (verified.signer_id == signature.signer_id) {
      return found("verifies a signature of the same person");
    }
    if (verified.verified) return found("signature " + signature.verifies + " is verified twice");
    verified.verified = true;
  }
  seen_.emplace(signature.id, Seen{signature.record, signature.signer_id, false});
  ++per_key_[signature.key_id];
  ++checked_;
  return true;
}

}  // namespace automation
