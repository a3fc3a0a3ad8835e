// The signature inputs and JSON (docs/signatures.md): request bodies and query, the object the
// API answers, and export lines read back.

#include "automation/http/signature_views.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "automation/http/login_time.hpp"
#include "automation/http/request_parsing.hpp"

namespace automation::http {
namespace {

Signature sample() {
  Signature s;
  s.id = std::string(32, 'a');
  s.signer_id = "c81f24ce98c9a6fe";
  s.username = "olga";
  s.printed_name = "Olga Ortiz";
  s.role = "operator";
  s.meaning = "performed";
  s.signed_at = 1714564800;  // 2024-05-01 12:00:00 UTC
  s.record = SignedRecord{"batch", "B-1042", std::string(64, 'd')};
  s.comment = "line one\nline two";
  s.authentication = "username+password";
  s.key_id = "21fe31dfa154a261";
  s.value = "c2VhbA==";
  return s;
}

TEST(SignatureInput, SignBodyTakesTheDocumentedFieldsFromJsonAndForms) {
  auto json_body = parse_sign_request(
      R"({"password":"pw","meaning":"performed","username":"olga","record_type":"batch",
          "record_id":"B-1","record_digest":"ab","comment":"c","verifies":"v","code":"1"})");
  ASSERT_TRUE(json_body) << json_body.error().message;
  EXPECT_EQ(json_body->username, "olga");
  EXPECT_EQ(json_body->verifies, "v");
  EXPECT_EQ(json_body->code, "1");
  auto form = parse_sign_request("password=pw&meaning=approved&record_id=B+1", BodyEncoding::kForm);
  ASSERT_TRUE(form);
  EXPECT_EQ(form->record_id, "B 1");
  EXPECT_FALSE(form->username);
  auto missing = parse_sign_request("{}");
  ASSERT_FALSE(missing);
  EXPECT_TRUE(missing.error().fields.contains("password"));
  EXPECT_TRUE(missing.error().fields.contains("meaning"));
  auto typed = parse_sign_request(R"({"password":"pw","meaning":7})");
  ASSERT_FALSE(typed);
  EXPECT_EQ(typed.error().fields.at("meaning"), "must be a string");
}

TEST(SignatureInput, QueryNeedsATypeWithAnIdAndABoundedLimit) {
  auto query = parse_signature_query("record_type=batch&record_id=B-1&limit=5");
  ASSERT_TRUE(query);
  EXPECT_EQ(query->record_type, "batch");
  EXPECT_EQ(query->record_id, "B-1");
  EXPECT_EQ(query->limit, 5);
  EXPECT_EQ(parse_signature_query("")->limit, 100);
  EXPECT_FALSE(parse_signature_query("record_id=B-1"));
  EXPECT_FALSE(parse_signature_query("limit=0"));
  EXPECT_FALSE(parse_signature_query("limit=1001"));
  EXPECT_FALSE(parse_signature_query("limit=ten"));
}

TEST(SignatureViews, TheObjectCarriesUtcLocalTimeAndTheVerification) {
  auto zone = LoginTime::create("America/Caracas");
  ASSERT_TRUE(zone);
  SignatureView view{sample(), true, "", true, std::nullopt};
  const nlohmann::json body = signature_json(view, *zone);
  EXPECT_EQ(body.at("signed_at"), "2024-05-01 12:00:00");
  EXPECT_EQ(body.at("timestamp"), 1714564800);
  EXPECT_EQ(body.at("signed_at_local"), "05/01/2024, 08:00:00");
  EXPECT_EQ(body.at("timezone"), "America/Caracas");
  EXPECT_TRUE(body.at("verifies").is_null());
  EXPECT_TRUE(body.at("verification").is_null());
  EXPECT_TRUE(body.at("verification_required").get<bool>());
  EXPECT_FALSE(body.contains("problem"));
  // A countersignature carries neither verification field.
  Signature countersignature = sample();
  countersignature.verifies = std::string(32, 'b');
  const nlohmann::json counter =
      signature_json(SignatureView{countersignature, false, "why", false, std::nullopt}, *zone);
  EXPECT_FALSE(counter.contains("verification"));
  EXPECT_EQ(counter.at("problem"), "why");
}

TEST(SignatureViews, ExportLinesReadBackTheSame) {
  Signature original = sample();
  original.verifies = std::string(32, 'b');
  auto item = parse_exported_line(exported_signature_json(original).dump());
  ASSERT_TRUE(item && item->signature) << (item ? "" : item.error().message);
  const Signature& read = *item->signature;
  EXPECT_EQ(read.id, original.id);
  EXPECT_EQ(read.signed_at, original.signed_at);
  EXPECT_EQ(read.record.digest, original.record.digest);
  EXPECT_EQ(read.comment, original.comment);
  EXPECT_EQ(read.verifies, original.verifies);
  EXPECT_EQ(read.value, original.value);
  auto key = parse_exported_line(
      exported_key_json(SigningPublicKey{"k1", "Ed25519", "pub", 42}).dump());
  ASSERT_TRUE(key && key->key);
  EXPECT_EQ(key->key->first_used_at, 42);
  for (const char* bad : {"", "[]", R"({"kind":"other"})", R"({"kind":"signature","id":1})"}) {
    EXPECT_FALSE(parse_exported_line(bad)) << bad;
  }
}

}  // namespace
}  // namespace automation::http
