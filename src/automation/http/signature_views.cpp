#include "automation/http/signature_views.hpp"

#include <nlohmann/json.hpp>

#include "automation/core/time_format.hpp"
#include "automation/crypto/ed25519_sealer.hpp"
#include "automation/http/login_time.hpp"

namespace automation::http {
namespace {

// A required field of an export line, of the given JSON type.
class LineReader {
 public:
  explicit LineReader(const nlohmann::json& object) : object_(object) {}

  std::string text(const char* field) {
    const auto it = object_.find(field);
    if (it == object_.end() || !it->is_string()) {
      if (bad_.empty()) bad_ = field;
      return {};
    }
    return it->get<std::string>();
  }
  // A string, or "" for null.
  std::string text_or_null(const char* field) {
    const auto it = object_.find(field);
    if (it != object_.end() && it->is_null()) return {};
    return text(field);
  }
  std::int64_t integer(const char* field) {
    const auto it = object_.find(field);
    if (it == object_.end() || !it->is_number_integer()) {
      if (bad_.empty()) bad_ = field;
      return 0;
    }
    return it->get<std::int64_t>();
  }
  Status result() const {
    if (bad_.empty()) return {};
    return fail(Error::invalid(bad_, "is missing or of the wrong type"));
  }

 private:
  const nlohmann::json& object_;
  std::string bad_;
};

}  // namespace

nlohmann::json sealed_signature_json(const Signature& s) {
  return nlohmann::json{
      {"id", s.id},
      {"signer_id", s.signer_id},
      {"username", s.username},
      {"printed_name", s.printed_name},
      {"role", s.role},
      {"meaning", s.meaning},
      {"signed_at", format_utc(s.signed_at)},
      {"timestamp", s.signed_at},
      {"record_type", s.record.type},
      {"record_id", s.record.id},
      {"record_digest", s.record.digest},
      {"comment", s.comment},
      {"verifies", s.verifies.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.verifies)},
      {"authentication", s.authentication},
      {"key_id", s.key_id},
      {"algorithm", "Ed25519"},
      {"value", s.value},
  };
}

nlohmann::json signature_json(const SignatureView& view, const LoginTime& local_time) {
  nlohmann::json body = sealed_signature_json(view.signature);
  body["signed_at_local"] = local_time.format(view.signature.signed_at);
  body["timezone"] = local_time.zone_name();
  body["intact"] = view.intact;
  if (!view.intact) body["problem"] = view.problem;
  if (view.signature.verifies.empty()) {
    body["verification_required"] = view.verification_required;
    if (view.verification) {
      nlohmann::json verification = sealed_signature_json(*view.verification);
      verification["signed_at_local"] = local_time.format(view.verification->signed_at);
      body["verification"] = std::move(verification);
    } else {
      body["verification"] = nullptr;
    }
  }
  return body;
}

nlohmann::json signature_verification_json(const SignatureVerification& verification,
                                           const LoginTime& local_time) {
  nlohmann::json body{
      {"signature_id", verification.view.signature.id},
      {"intact", verification.view.intact},
      {"matches_record", verification.matches_record ? nlohmann::json(*verification.matches_record)
                                                     : nlohmann::json(nullptr)},
  };
  if (!verification.view.intact) body["problem"] = verification.view.problem;
  body["signature"] = signature_json(verification.view, local_time);
  return body;
}

nlohmann::json signing_key_json(const SigningPublicKey& key, bool current) {
  return nlohmann::json{
      {"key_id", key.key_id},
      {"algorithm", key.algorithm},
      {"public_key", key.public_key},
      {"public_key_pem", crypto::ed25519_public_key_pem(key.public_key)},
      {"first_used_at", format_utc(key.first_used_at)},
      {"current", current},
  };
}

nlohmann::json exported_key_json(const SigningPublicKey& key) {
  return nlohmann::json{{"kind", "key"},
                        {"key_id", key.key_id},
                        {"algorithm", key.algorithm},
                        {"public_key", key.public_key},
                        {"first_used_at", format_utc(key.first_used_at)},
                        {"timestamp", key.first_used_at}};
}

nlohmann::json exported_signature_json(const Signature& signature) {
  nlohmann::json line = sealed_signature_json(signature);
  line["kind"] = "signature";
  return line;
}

Result<ExportedItem> parse_exported_line(std::string_view line) {
  const nlohmann::json object = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) {
    return fail(ErrorCode::kInvalidArgument, "not a JSON object");
  }
  LineReader fields(object);
  const std::string kind = fields.text("kind");
  ExportedItem item;
  if (kind == "key") {
    SigningPublicKey key;
    key.key_id = fields.text("key_id");
    key.algorithm = fields.text("algorithm");
    key.public_key = fields.text("public_key");
    key.first_used_at = fields.integer("timestamp");
    item.key = std::move(key);
  } else if (kind == "signature") {
    Signature s;
    s.id = fields.text("id");
    s.signer_id = fields.text("signer_id");
    s.username = fields.text("username");
    s.printed_name = fields.text("printed_name");
    s.role = fields.text("role");
    s.meaning = fields.text("meaning");
    s.signed_at = fields.integer("timestamp");
    s.record = SignedRecord{fields.text("record_type"), fields.text("record_id"),
                            fields.text("record_digest")};
    s.comment = fields.text("comment");
    s.verifies = fields.text_or_null("verifies");
    s.authentication = fields.text("authentication");
    s.key_id = fields.text("key_id");
    s.value = fields.text("value");
    item.signature = std::move(s);
  } else if (auto status = fields.result(); status) {
    return fail(Error::invalid("kind", "must be key or signature"));
  }
  if (auto status = fields.result(); !status) return fail(status.error());
  return item;
}

}  // namespace automation::http
