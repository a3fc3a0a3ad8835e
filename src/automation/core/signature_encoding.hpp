#pragma once

// The exact bytes a signature's seal covers (docs/signatures.md "Canonical encoding"): the tag
// "automation-signature-v1\n", then each field as "<byte length>:<bytes>\n" in this order:
// id, signer_id, username, printed_name, role, meaning, signed_at (decimal Unix seconds, UTC),
// record_type, record_id, record_digest, comment, verifies, authentication, key_id.
// Length prefixes make the encoding unambiguous whatever the fields contain.

#include <string>

#include "automation/core/signature.hpp"

namespace automation {

inline constexpr const char* kSignatureEncodingTag = "automation-signature-v1\n";

std::string signature_message(const Signature& signature);

}  // namespace automation
