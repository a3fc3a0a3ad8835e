// Handlers of /api/signatures: sign and countersign, read, verify, and the published keys
// (docs/signatures.md).

#include <nlohmann/json.hpp>

#include "automation/http/error_mapping.hpp"
#include "automation/http/request_parsing.hpp"
#include "automation/http/routes.hpp"
#include "automation/http/signature_views.hpp"

namespace automation::http {
namespace {

constexpr std::string_view kSignatureSchema = R"({"type": "object", "properties": {
    "id": {"type": "string", "description": "32 lowercase hex characters"},
    "signer_id": {"type": "string", "description": "The signer's user identifier"},
    "username": {"type": "string"},
    "printed_name": {"type": "string", "description": "Name and lastname, else the username"},
    "role": {"type": "string"},
    "meaning": {"type": "string"},
    "signed_at": {"type": "string", "description": "UTC, YYYY-MM-DD HH:MM:SS"},
    "timestamp": {"type": "integer", "description": "UTC Unix seconds, the sealed value"},
    "signed_at_local": {"type": "string", "description": "MM/DD/YYYY, HH:MM:SS in `timezone`"},
    "timezone": {"type": "string"},
    "record_type": {"type": "string"}, "record_id": {"type": "string"},
    "record_digest": {"type": "string", "description": "SHA-256 of the record, hex"},
    "comment": {"type": "string"},
    "verifies": {"type": "string", "nullable": true},
    "authentication": {"type": "string", "enum": ["username+password", "password"]},
    "key_id": {"type": "string"}, "algorithm": {"type": "string", "enum": ["Ed25519"]},
    "value": {"type": "string", "description": "base64 Ed25519 signature"},
    "intact": {"type": "boolean"}, "problem": {"type": "string"},
    "verification_required": {"type": "boolean"},
    "verification": {"type": "object", "nullable": true}}})";

constexpr std::string_view kSignatureReaders =
    "Readable by its signer, admin, sudo and auditor.";

Response sign(const RouteContext& context, const Request& request, const Caller& caller) {
  auto sign = parse_sign_request(request.body, body_encoding(request.content_type));
  if (!sign) return error_response(sign.error());
  auto signature = context.api.signatures().sign(caller, *sign);
  if (!signature) return error_response(signature.error());
  return json_response(200, signature_json(*signature, context.login_time));
}

Response list(const RouteContext& context, const Request& request, const Caller& caller) {
  auto query = parse_signature_query(request.query);
  if (!query) return error_response(query.error());
  auto views = context.api.signatures().list(caller, *query);
  if (!views) return error_response(views.error());
  nlohmann::json body = nlohmann::json::array();
  for (const SignatureView& view : *views) body.push_back(signature_json(view, context.login_time));
  return json_response(200, body);
}

Response keys(const RouteContext& context) {
  auto keys = context.api.signatures().keys();
  if (!keys) return error_response(keys.error());
  nlohmann::json listed = nlohmann::json::array();
  for (const SigningPublicKey& key : keys->keys) {
    listed.push_back(signing_key_json(key, key.key_id == keys->current_key_id));
  }
  return json_response(200, nlohmann::json{{"keys", std::move(listed)}});
}

Response verify(const RouteContext& context, const Request& request, const Caller& caller) {
  auto check = parse_signature_check(request.body, body_encoding(request.content_type));
  if (!check) return error_response(check.error());
  auto verification =
      context.api.signatures().verify(caller, check->signature_id, check->record_digest);
  if (!verification) return error_response(verification.error());
  return json_response(200, signature_verification_json(*verification, context.login_time));
}

}  // namespace

std::vector<Route> signature_routes(const RouteContext& context) {
  return {
      {Method::kPost, "/api/signatures", KeyPolicy::kRequired, Execution::kWorkerPool,
       [context](const Request& request, const Caller& caller) {
         return sign(context, request, caller);
       },
       {.tag = "signatures",
        .summary = "Sign a record, or countersign a signature (21 CFR Part 11)",
        .description =
            "The signer re-enters the password, and the username too for the first signature "
            "of a session (§11.200(a)); a wrong password counts as a failed login (429 when "
            "throttled). The meaning must be one the signer's role may sign "
            "(AUTOMATION_SIGNATURE_MEANINGS). With `verifies`, a countersignature by another "
            "person of the same record. Sealed with Ed25519 and audited as `signature`; a "
            "signature whose audit event cannot be written is not made (503). Sessions only.",
        .request_body = R"({"type": "object", "required": ["password", "meaning"],
          "properties": {"username": {"type": "string"}, "password": {"type": "string"},
            "code": {"type": "string", "description": "MFA code, when the signer has MFA"},
            "meaning": {"type": "string"},
            "record_type": {"type": "string"}, "record_id": {"type": "string"},
            "record_digest": {"type": "string", "description": "SHA-256 of the record, hex"},
            "comment": {"type": "string"},
            "verifies": {"type": "string", "description": "Id of the signature to verify"}}})",
        .responses = {{200, "The signature", kSignatureSchema},
                      {400, "A bad field, the username missing at the session's first "
                            "signature, the verifier being the signer, or another record"},
                      {403, "Wrong credentials (`error_type` invalid_credentials), a role "
                            "that may not sign this meaning, a third-party token, or an "
                            "expired password"},
                      {404, "No signature with the id in `verifies`"},
                      {409, "The signature in `verifies` is already verified"},
                      {429, "Too many failed password attempts"}}}},
      {Method::kGet, "/api/signatures", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         return list(context, request, caller);
       },
       {.tag = "signatures",
        .summary = "Signatures, newest first",
        .description = "A record's signatures with `record_type` and `record_id`. Admin, sudo "
                       "and auditor see everyone's; anyone else their own only.",
        .query_parameters = R"([
          {"name": "record_type", "in": "query", "required": false, "schema": {"type": "string"}},
          {"name": "record_id", "in": "query", "required": false, "schema": {"type": "string"}},
          {"name": "limit", "in": "query", "required": false,
           "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}])",
        .responses = {{200, "Signatures", R"({"type": "array", "items": {"type": "object"}})"},
                      {400, "Bad `limit`, or `record_id` without `record_type`"},
                      {403, "A third-party token whose role may not read signatures"}}}},
      {Method::kGet, "/api/signatures/keys", KeyPolicy::kNone, Execution::kIoThread,
       [context](const Request&, const Caller&) { return keys(context); },
       {.tag = "signatures",
        .summary = "The public keys that seal signatures",
        .description = "Every key that ever sealed a signature stays listed. `public_key` is "
                       "the raw 32-byte Ed25519 key in base64; `key_id` the first 8 bytes of "
                       "its SHA-256 in hex. No key needed.",
        .responses = {{200, "Keys", R"({"type": "object", "properties": {"keys": {
            "type": "array", "items": {"type": "object", "properties": {
              "key_id": {"type": "string"}, "algorithm": {"type": "string"},
              "public_key": {"type": "string"}, "public_key_pem": {"type": "string"},
              "first_used_at": {"type": "string"}, "current": {"type": "boolean"}}}}}})"}}}},
      {Method::kPost, "/api/signatures/verify", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         return verify(context, request, caller);
       },
       {.tag = "signatures",
        .summary = "Check a stored signature, and that it signed this record",
        .description =
            "`intact`: the seal matches the stored fields under the published key. "
            "`matches_record`: the signed digest equals `record_digest` (null when none is "
            "given). Readable by its signer, admin, sudo and auditor.",
        .request_body = R"({"type": "object", "required": ["signature_id"],
          "properties": {"signature_id": {"type": "string"},
            "record_digest": {"type": "string"}}})",
        .responses = {{200, "The verdict", R"({"type": "object", "properties": {
            "signature_id": {"type": "string"}, "intact": {"type": "boolean"},
            "problem": {"type": "string"},
            "matches_record": {"type": "boolean", "nullable": true},
            "signature": {"type": "object"}}})"},
                      {403, "Another person's signature, for a role that may not read it"},
                      {404, "No such signature"}}}},
      {Method::kGet, "/api/signatures/:id", KeyPolicy::kRequired, Execution::kIoThread,
       [context](const Request& request, const Caller& caller) {
         auto view = context.api.signatures().get(caller, request.path_params.at(0));
         if (!view) return error_response(view.error());
         return json_response(200, signature_json(*view, context.login_time));
       },
       {.tag = "signatures",
        .summary = "One signature",
        .description = kSignatureReaders,
        .path_parameter = "The signature's id",
        .responses = {{200, "The signature", kSignatureSchema},
                      {403, "Another person's signature, for a role that may not read it"},
                      {404, "No such signature"}}}},
  };
}

}  // namespace automation::http
