#include "automation/core/signature_encoding.hpp"

#include <string_view>

#include "automation/core/text.hpp"

namespace automation {

std::string signature_message(const Signature& signature) {
  std::string message = kSignatureEncodingTag;
  const std::string signed_at = std::to_string(signature.signed_at);
  for (std::string_view field :
       {std::string_view(signature.id), std::string_view(signature.signer_id),
        std::string_view(signature.username), std::string_view(signature.printed_name),
        std::string_view(signature.role), std::string_view(signature.meaning),
        std::string_view(signed_at), std::string_view(signature.record.type),
        std::string_view(signature.record.id), std::string_view(signature.record.digest),
        std::string_view(signature.comment), std::string_view(signature.verifies),
        std::string_view(signature.authentication), std::string_view(signature.key_id)}) {
    append_length_prefixed(message, field);
  }
  return message;
}

}  // namespace automation
