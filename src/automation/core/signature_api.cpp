#include "automation/core/signature_api.hpp"

#include <utility>

#include "automation/core/policy.hpp"
#include "automation/core/policy_subjects.hpp"
#include "automation/core/users_core.hpp"

namespace automation {
namespace {

// What the audit trail names: the meaning, the record and, once made, the signature.
std::string audit_target(const SignRequest& request, const Result<Signature>& result) {
  if (result) {
    const Signature& made = *result;
    std::string target = made.meaning + " of " + made.record.type + "/" + made.record.id +
                         ": signature " + made.id;
    if (!made.verifies.empty()) target += " verifying " + made.verifies;
    return target;
  }
  if (request.verifies) return request.meaning + " verifying " + *request.verifies;
  return request.meaning + " of " + request.record_type.value_or("") + "/" +
         request.record_id.value_or("");
}

}  // namespace

Result<SignatureService*> SignatureApi::service() {
  SignatureService* service = core_.signatures();
  if (service == nullptr) {
    return fail(ErrorCode::kUnavailable, "Electronic signatures are not available here");
  }
  return service;
}

Result<SignatureView> SignatureApi::sign(const Caller& caller, const SignRequest& request) {
  if (!caller.principal) return key_missing();
  auto signatures = service();
  if (!signatures) return fail(signatures.error());
  const Principal& signer = *caller.principal;
  // The signature stands only if its audit event is written (then 503 and nothing is kept).
  auto made = core_.audited().run(
      [&] { return (*signatures)->sign(signer, request, caller.address); },
      [&](const Result<Signature>& result) {
        AuditOutcome outcome = audit_outcome_of(
            result ? Status{} : Status(std::unexpect, result.error()));
        // A wrong password is a failed attempt (counted like a login), not a refusal by a rule.
        if (!result && result.error().type == kInvalidSignatureCredentials) {
          outcome.outcome = "failure";
        }
        return AuditRecord{"signature", signer.audit_name(), audit_target(request, result),
                           caller.address, std::move(outcome)};
      });
  if (!made) return fail(made.error());
  SignatureView view;
  view.verification_required =
      made->verifies.empty() && (*signatures)->settings().needs_verification(made->meaning);
  view.intact = true;  // sealed just now with the current key
  view.signature = std::move(*made);
  return view;
}

Status SignatureApi::authorize_read(const Caller& caller, const SignatureView& view) {
  if (policy::may_read_signature(actor_of(*caller.principal),
                                 view.signature.signer_id)) {
    return {};
  }
  Status refused = fail(ErrorCode::kPermissionDenied,
                        "Access denied. Only the signer, admin, sudo and auditor may read a "
                        "signature");
  (void)core_.audit().record(AuditRecord{"signature_read", caller.principal->audit_name(),
                                         "signature " + view.signature.id, caller.address,
                                         audit_outcome_of(refused)});
  return refused;
}

Result<SignatureView> SignatureApi::get(const Caller& caller, std::string_view id) {
  if (!caller.principal) return key_missing();
  auto signatures = service();
  if (!signatures) return fail(signatures.error());
  auto view = (*signatures)->get(id);
  if (!view) return view;
  if (auto allowed = authorize_read(caller, *view); !allowed) return fail(allowed.error());
  return view;
}

Result<std::vector<SignatureView>> SignatureApi::list(const Caller& caller,
                                                      const SignatureQuery& query) {
  if (!caller.principal) return key_missing();
  auto signatures = service();
  if (!signatures) return fail(signatures.error());
  const policy::Actor actor = actor_of(*caller.principal);
  std::optional<std::string> signer;
  if (!policy::may_read_all_signatures(actor)) {
    if (actor.is_token) {
      return fail(ErrorCode::kPermissionDenied,
                  "Access denied. Required roles: ['sudo', 'admin', 'auditor']");
    }
    signer = std::string(actor.user_id);  // everyone else reads their own signatures only
  }
  return (*signatures)->list(query.record_type, query.record_id, signer, query.limit);
}

Result<SignatureVerification> SignatureApi::verify(const Caller& caller, std::string_view id,
                                                   const std::optional<std::string>& record_digest) {
  if (!caller.principal) return key_missing();
  auto signatures = service();
  if (!signatures) return fail(signatures.error());
  auto verification = (*signatures)->verify(id, record_digest);
  if (!verification) return verification;
  if (auto allowed = authorize_read(caller, verification->view); !allowed) {
    return fail(allowed.error());
  }
  return verification;
}

Result<PublishedKeys> SignatureApi::keys() {
  auto signatures = service();
  if (!signatures) return fail(signatures.error());
  return (*signatures)->keys();
}

}  // namespace automation
