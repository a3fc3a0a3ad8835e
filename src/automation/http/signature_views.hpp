#pragma once

// Electronic signatures as JSON (docs/signatures.md "The signature object"): the API's answers,
// and the lines of `automation signature export`, which `automation signature verify --export`
// reads back.

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "automation/core/error.hpp"
#include "automation/core/signature.hpp"
#include "automation/core/signature_service.hpp"

namespace automation::http {

class LoginTime;

// The sealed fields: {"id","signer_id","username","printed_name","role","meaning",
// "signed_at" (UTC "YYYY-MM-DD HH:MM:SS"),"timestamp" (the sealed Unix seconds),"record_type",
// "record_id","record_digest","comment","verifies" (null for a first signature),
// "authentication","key_id","algorithm","value"}.
nlohmann::json sealed_signature_json(const Signature& signature);

// What the API answers for a signature: the sealed fields, the time in the configured zone
// ("signed_at_local" as the login's datetime, "timezone"), "intact" (and "problem" when not),
// "verification_required" and "verification" (the countersignature's fields, or null). A
// countersignature carries neither of the last two.
nlohmann::json signature_json(const SignatureView& view, const LoginTime& local_time);

// {"signature_id","intact","problem" (when not intact),"matches_record" (null: no digest
// given),"signature": signature_json}.
nlohmann::json signature_verification_json(const SignatureVerification& verification,
                                           const LoginTime& local_time);

// {"key_id","algorithm","public_key" (base64 of the raw 32 bytes),"public_key_pem",
// "first_used_at" (UTC),"current"}.
nlohmann::json signing_key_json(const SigningPublicKey& key, bool current);

// Lines of an export: {"kind":"key", ...signing_key_json without "current"} and
// {"kind":"signature", ...sealed_signature_json}.
nlohmann::json exported_key_json(const SigningPublicKey& key);
nlohmann::json exported_signature_json(const Signature& signature);

// An export line read back: a key or a signature. kInvalidArgument naming the bad field.
struct ExportedItem {
  std::optional<SigningPublicKey> key;
  std::optional<Signature> signature;
};
Result<ExportedItem> parse_exported_line(std::string_view line);

}  // namespace automation::http
