#pragma once

// The signature operations of the HTTP API (docs/signatures.md), for a calling principal:
// signing is audited in the same transaction as the signature (no signature without its
// audit event: 503), reading is for the signer, admin, sudo and auditor (core/policy).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "automation/core/error.hpp"
#include "automation/core/requests.hpp"
#include "automation/core/signature.hpp"
#include "automation/core/signature_service.hpp"

namespace automation {

class UsersCore;

// GET /api/signatures?record_type=&record_id=&limit=
struct SignatureQuery {
  std::optional<std::string> record_type;
  std::optional<std::string> record_id;  // only with record_type
  int limit = 100;
};

class SignatureApi {
 public:
  explicit SignatureApi(UsersCore& core) : core_(core) {}

  // KDF-bound (the HTTP layer runs it on the hashing pool). Audited as event "signature".
  Result<SignatureView> sign(const Caller& caller, const SignRequest& request);
  // Newest first. Admin, sudo and auditor see everyone's; anyone else their own only.
  Result<std::vector<SignatureView>> list(const Caller& caller, const SignatureQuery& query);
  // kNotFound for an unknown id; kPermissionDenied for another person's signature unless the
  // caller is admin, sudo or auditor.
  Result<SignatureView> get(const Caller& caller, std::string_view id);
  Result<SignatureVerification> verify(const Caller& caller, std::string_view id,
                                       const std::optional<std::string>& record_digest);
  // The published keys (public: no caller needed).
  Result<PublishedKeys> keys();

 private:
  // The service, or kUnavailable when signatures are not set up (a core without them).
  Result<SignatureService*> service();
  // A read of `view` by the caller, refused (and the refusal audited) unless policy allows.
  Status authorize_read(const Caller& caller, const SignatureView& view);

  UsersCore& core_;
};

}  // namespace automation
