#pragma once

#include "automation/core/mfa_ports.hpp"

namespace automation::storage {

class Database;

// MfaChallengeStore on the table mfa_challenges (migration 15): logins whose password was
// right, waiting for the second factor, by the digest of their token. Consuming one is a
// DELETE whose row count decides, so a token completes one login however many try at once.
class SqlMfaChallengeStore final : public MfaChallengeStore {
 public:
  // db must outlive the store.
  explicit SqlMfaChallengeStore(Database& db) : db_(db) {}

  Status add_challenge(const MfaChallenge& challenge) override;
  Result<std::optional<MfaChallenge>> find_challenge(std::string_view token_digest) override;
  Result<bool> consume_challenge(std::string_view token_digest, UnixSeconds now) override;

 private:
  Database& db_;
};

}  // namespace automation::storage
