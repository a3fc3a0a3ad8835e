#pragma once

#include "automation/core/ports.hpp"

namespace automation::storage {

class Database;

// TptStore on the `tpts` table: the metadata of issued third-party tokens (never the
// token itself). Revocation is a flag read by every process on each verification.
class SqlTptStore final : public TptStore {
 public:
  // db must outlive the store.
  explicit SqlTptStore(Database& db) : db_(db) {}

  // kAlreadyExists (field "jti") for a jti already stored.
  Status add_tpt(const TptRecord& record) override;
  // Oldest first (by created_on, then jti).
  Result<std::vector<TptRecord>> list_tpts() override;
  Result<std::optional<TptRecord>> find_tpt(std::string_view jti) override;
  // Revoking an already revoked jti succeeds; kNotFound for an unknown one.
  Status revoke_tpt(std::string_view jti) override;

 private:
  Database& db_;
};

}  // namespace automation::storage
