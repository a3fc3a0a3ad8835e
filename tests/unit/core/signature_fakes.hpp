#pragma once

// In-memory signature ports for core unit tests (the SQL store is checked by
// tests/contract/signature_store_test.cpp, the Ed25519 seal by tests/unit/crypto).

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "automation/core/signature.hpp"
#include "fakes.hpp"

namespace automation::testing {

// A stand-in seal: a hash of the message with the key id, so any change of a sealed field
// breaks it. Not a signature scheme; the real one is crypto/ed25519_sealer.
inline std::string fake_seal(const std::string& key_id, std::string_view message) {
  return key_id + ":" + std::to_string(std::hash<std::string_view>{}(message));
}

class FakeSealer : public SignatureSealer {
 public:
  explicit FakeSealer(std::string key_id = "k1") : key_{std::move(key_id), "Ed25519", "pub", 0} {}
  const SigningPublicKey& public_key() const override { return key_; }
  std::string seal(std::string_view message) const override {
    return fake_seal(key_.key_id, message);
  }

 private:
  SigningPublicKey key_;
};

class FakeSealChecker : public SealChecker {
 public:
  bool check(const SigningPublicKey& key, std::string_view message,
             std::string_view value) const override {
    return value == fake_seal(key.key_id, message);
  }
};

class InMemorySignatureStore : public SignatureStore {
 public:
  struct State {
    std::vector<Signature> signatures;
    std::vector<std::pair<std::string, UnixSeconds>> signed_sessions;
    std::vector<SigningPublicKey> keys;
  };
  State state;
  // Sessions that exist (mark_session_signed refuses others, as the foreign key does).
  std::function<bool(std::string_view digest)> session_exists = [](std::string_view) {
    return true;
  };

  static Error taken(const char* message, const char* field) {
    Error error = Error::make(ErrorCode::kAlreadyExists, message);
    error.fields = {{field, "taken"}};
    return error;
  }

  Status add_signature(const Signature& signature) override {
    for (const Signature& s : state.signatures) {
      if (s.id == signature.id) return fail(taken("id", "id"));
      if (!signature.verifies.empty() && s.verifies == signature.verifies) {
        return fail(taken("verified", "verifies"));
      }
    }
    state.signatures.push_back(signature);
    return {};
  }
  Result<std::optional<Signature>> find_signature(std::string_view id) override {
    for (const Signature& s : state.signatures) {
      if (s.id == id) return std::optional<Signature>(s);
    }
    return std::optional<Signature>();
  }
  Result<std::optional<Signature>> find_verification(std::string_view id) override {
    for (const Signature& s : state.signatures) {
      if (s.verifies == id) return std::optional<Signature>(s);
    }
    return std::optional<Signature>();
  }
  Result<std::vector<Signature>> list_signatures(const std::optional<std::string>& record_type,
                                                 const std::optional<std::string>& record_id,
                                                 const std::optional<std::string>& signer_id,
                                                 int limit) override {
    std::vector<Signature> out;
    for (auto it = state.signatures.rbegin(); it != state.signatures.rend(); ++it) {
      if (record_type && it->record.type != *record_type) continue;
      if (record_id && it->record.id != *record_id) continue;
      if (signer_id && it->signer_id != *signer_id) continue;
      if (static_cast<int>(out.size()) == limit) break;
      out.push_back(*it);
    }
    return out;
  }
  Result<std::vector<Signature>> signatures_in_order(std::int64_t after, int limit,
                                                     std::int64_t& next) override {
    std::vector<Signature> out;
    for (std::int64_t i = after; i < static_cast<std::int64_t>(state.signatures.size()) &&
                                 static_cast<int>(out.size()) < limit;
         ++i) {
      out.push_back(state.signatures[static_cast<std::size_t>(i)]);
      next = i + 1;
    }
    return out;
  }
  Result<std::optional<UnixSeconds>> session_signed_at(std::string_view digest) override {
    for (const auto& [session, at] : state.signed_sessions) {
      if (session == digest) return std::optional<UnixSeconds>(at);
    }
    return std::optional<UnixSeconds>();
  }
  Status mark_session_signed(std::string_view digest, UnixSeconds at) override {
    if (!session_exists(digest)) return fail(ErrorCode::kNotFound, "no such session");
    if (!*session_signed_at(digest)) state.signed_sessions.emplace_back(std::string(digest), at);
    return {};
  }
  Status add_public_key(const SigningPublicKey& key) override {
    for (const auto& k : state.keys) {
      if (k.key_id == key.key_id) return {};
    }
    state.keys.push_back(key);
    return {};
  }
  Result<std::vector<SigningPublicKey>> public_keys() override { return state.keys; }
};

// The stores' unit of work, undoing the signature store's writes too when the work fails.
class UnitWithSignatures : public UnitOfWork {
 public:
  UnitWithSignatures(UnitOfWork& inner, InMemorySignatureStore& signatures)
      : inner_(inner), signatures_(signatures) {}
  Status run(const std::function<Status()>& work) override {
    if (depth_ > 0) return work();
    const auto saved = signatures_.state;
    ++depth_;
    Status status = inner_.run(work);
    --depth_;
    if (!status) signatures_.state = saved;
    return status;
  }

 private:
  UnitOfWork& inner_;
  InMemorySignatureStore& signatures_;
  int depth_ = 0;
};

}  // namespace automation::testing
