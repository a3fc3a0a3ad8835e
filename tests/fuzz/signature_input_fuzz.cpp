// Electronic signature inputs: the bodies of POST /api/signatures and /api/signatures/verify
// (JSON and HTML form), the query of GET /api/signatures, and the lines of a signature export
// (which `automation signature verify --export` reads from a file).
//
// Input: one selector byte, then the body, query or line. selector % 4 picks the parser,
// (selector / 4) % 2 the body encoding (0 JSON, 1 form).
// Invariants beyond "no crash": parsing is deterministic; a parsed body written back as JSON
// parses to the same value; a query's limit is within 1..1000; an export line read back and
// written again reads back the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "automation/http/request_parsing.hpp"
#include "automation/http/signature_views.hpp"

#include "fuzz_invariant.hpp"

namespace {

using automation::fuzzing::invariant_broken;

using automation::http::BodyEncoding;
namespace http = automation::http;

void put_optional(nlohmann::json& body, const char* field, const std::optional<std::string>& value) {
  if (value) body[field] = *value;
}

nlohmann::json to_body(const automation::SignRequest& value) {
  nlohmann::json body = {{"password", value.password}, {"meaning", value.meaning}};
  put_optional(body, "username", value.username);
  put_optional(body, "code", value.code);
  put_optional(body, "record_type", value.record_type);
  put_optional(body, "record_id", value.record_id);
  put_optional(body, "record_digest", value.record_digest);
  put_optional(body, "comment", value.comment);
  put_optional(body, "verifies", value.verifies);
  return body;
}
nlohmann::json to_body(const http::SignatureCheckRequest& value) {
  nlohmann::json body = {{"signature_id", value.signature_id}};
  put_optional(body, "record_digest", value.record_digest);
  return body;
}

bool same(const automation::SignRequest& a, const automation::SignRequest& b) {
  return a.username == b.username && a.password == b.password && a.code == b.code &&
         a.meaning == b.meaning && a.record_type == b.record_type && a.record_id == b.record_id &&
         a.record_digest == b.record_digest && a.comment == b.comment && a.verifies == b.verifies;
}
bool same(const http::SignatureCheckRequest& a, const http::SignatureCheckRequest& b) {
  return a.signature_id == b.signature_id && a.record_digest == b.record_digest;
}
bool same(const automation::Signature& a, const automation::Signature& b) {
  return a.id == b.id && a.signer_id == b.signer_id && a.username == b.username &&
         a.printed_name == b.printed_name && a.role == b.role && a.meaning == b.meaning &&
         a.signed_at == b.signed_at && a.record.type == b.record.type &&
         a.record.id == b.record.id && a.record.digest == b.record.digest &&
         a.comment == b.comment && a.verifies == b.verifies &&
         a.authentication == b.authentication && a.key_id == b.key_id && a.value == b.value;
}

template <typename Parse>
void check_body_parser(Parse parse, std::string_view body, BodyEncoding encoding) {
  const auto first = parse(body, encoding);
  const auto second = parse(body, encoding);
  if (first.has_value() != second.has_value()) invariant_broken("parse is not deterministic");
  if (!first) return;
  if (!same(*first, *second)) invariant_broken("parse value is not deterministic");
  const auto reparsed = parse(to_body(*first).dump(), BodyEncoding::kJson);
  if (!reparsed || !same(*first, *reparsed)) invariant_broken("a body does not round-trip");
}

void check_query(std::string_view query) {
  const auto parsed = http::parse_signature_query(query);
  if (parsed && (parsed->limit < 1 || parsed->limit > 1000)) invariant_broken("limit out of range");
  if (parsed && parsed->record_id && !parsed->record_type) invariant_broken("record_id alone");
}

void check_export_line(std::string_view line) {
  const auto item = http::parse_exported_line(line);
  if (!item || !item->signature) return;
  // Strings came from a JSON parser: valid UTF-8, so dump() cannot throw.
  const auto again = http::parse_exported_line(http::exported_signature_json(*item->signature).dump());
  if (!again || !again->signature || !same(*item->signature, *again->signature)) {
    invariant_broken("an export line does not round-trip");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned selector = data[0];
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const BodyEncoding encoding = (selector / 4) % 2 == 0 ? BodyEncoding::kJson : BodyEncoding::kForm;
  switch (selector % 4) {
    case 0: check_body_parser(http::parse_sign_request, input, encoding); break;
    case 1: check_body_parser(http::parse_signature_check, input, encoding); break;
    case 2: check_query(input); break;
    default: check_export_line(input); break;
  }
  return 0;
}
