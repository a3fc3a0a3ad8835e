#pragma once

#include "automation/core/signature.hpp"

namespace automation::storage {

class Database;

// SignatureStore on the tables of migration 16: `signatures` (append-only: triggers refuse
// UPDATE and DELETE on every engine), `signature_keys` (every public key that sealed any) and
// `signing_sessions` (the sessions that signed, gone with their session). A signature keeps the signer's identifier, username and
// printed name as they were: no foreign key ties it to the users table, so deleting or renaming
// a user leaves every signature as it was made.
class SqlSignatureStore final : public SignatureStore {
 public:
  // db must outlive the store.
  explicit SqlSignatureStore(Database& db) : db_(db) {}

  Status add_signature(const Signature& signature) override;
  Result<std::optional<Signature>> find_signature(std::string_view id) override;
  Result<std::optional<Signature>> find_verification(std::string_view id) override;
  Result<std::vector<Signature>> list_signatures(const std::optional<std::string>& record_type,
                                                 const std::optional<std::string>& record_id,
                                                 const std::optional<std::string>& signer_id,
                                                 int limit) override;
  Result<std::vector<Signature>> signatures_in_order(std::int64_t after, int limit,
                                                     std::int64_t& next) override;
  Result<std::optional<UnixSeconds>> session_signed_at(std::string_view session_digest) override;
  // kNotFound when no session has that digest (it ended meanwhile).
  Status mark_session_signed(std::string_view session_digest, UnixSeconds at) override;
  Status add_public_key(const SigningPublicKey& key) override;
  Result<std::vector<SigningPublicKey>> public_keys() override;

 private:
  Database& db_;
};

}  // namespace automation::storage
