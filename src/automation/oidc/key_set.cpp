#include "automation/oidc/key_set.hpp"

#include <set>

#include "automation/oidc/base64url.hpp"

namespace automation::oidc {

namespace {

Error refused_token() { return Error::make(ErrorCode::kUnauthenticated, "invalid token"); }

// The three base64url parts of a compact JWS; nullopt unless exactly three.
struct CompactParts {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
};

std::optional<CompactParts> split_compact(std::string_view token) {
  if (token.size() > kMaxVerifiedTokenBytes) return std::nullopt;
  const auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return CompactParts{token.substr(0, first), token.substr(first + 1, second - first - 1),
                      token.substr(second + 1)};
}

// The JSON object a base64url part encodes; nullopt for anything else.
std::optional<nlohmann::json> decode_json_object(std::string_view part) {
  const auto bytes = base64url_decode(part);
  if (!bytes) return std::nullopt;
  nlohmann::json value = nlohmann::json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return std::nullopt;
  return value;
}

}  // namespace

Result<OidcKeySet> OidcKeySet::make(std::vector<Key> current, std::vector<Key> also_published) {
  OidcKeySet set;
  std::set<std::string> kids;
  for (const Key& key : current) {
    if (!key) return fail(ErrorCode::kInvalidArgument, "a key of the set is missing");
    Key& slot = key->algorithm() == JwsAlgorithm::kRs256 ? set.current_rs256_ : set.current_es256_;
    if (slot) {
      return fail(ErrorCode::kInvalidArgument,
                  "two current " + std::string(to_string(key->algorithm())) + " keys");
    }
    slot = key;
  }
  if (!set.current_rs256_ || !set.current_es256_) {
    return fail(ErrorCode::kInvalidArgument, "a current RS256 and a current ES256 key are needed");
  }
  set.published_ = {set.current_rs256_, set.current_es256_};
  for (Key& key : also_published) {
    if (!key) return fail(ErrorCode::kInvalidArgument, "a key of the set is missing");
    set.published_.push_back(std::move(key));
  }
  for (const Key& key : set.published_) {
    if (!kids.insert(key->kid()).second) {
      return fail(ErrorCode::kInvalidArgument, "key " + key->kid() + " is listed twice");
    }
  }
  return set;
}

const OidcSigningKey* OidcKeySet::find(std::string_view kid) const {
  for (const Key& key : published_) {
    if (key->kid() == kid) return key.get();
  }
  return nullptr;
}

Result<std::string> OidcKeySet::sign(const nlohmann::json& claims, std::string_view typ,
                                     std::string_view alg) const {
  const auto algorithm = jws_algorithm_named(alg);
  if (!algorithm) {
    return fail(ErrorCode::kInvalidArgument, "tokens are signed with RS256 or ES256 only");
  }
  if (!claims.is_object()) {
    return fail(ErrorCode::kInvalidArgument, "a token's claims must be a JSON object");
  }
  const OidcSigningKey& key =
      *algorithm == JwsAlgorithm::kRs256 ? *current_rs256_ : *current_es256_;
  const nlohmann::json header = {{"alg", std::string(alg)}, {"typ", std::string(typ)},
                                 {"kid", key.kid()}};
  std::string payload;
  try {
    payload = claims.dump();
  } catch (const nlohmann::json::exception&) {
    return fail(ErrorCode::kInvalidArgument, "a token's claims must be valid UTF-8");
  }
  std::string input = base64url_encode(header.dump()) + "." + base64url_encode(payload);
  auto signature = key.sign(input);
  if (!signature) return fail(signature.error());
  input += '.';
  input += base64url_encode(*signature);
  return input;
}

Result<nlohmann::json> OidcKeySet::verify(std::string_view token) const {
  const auto parts = split_compact(token);
  if (!parts) return fail(refused_token());
  const auto header = decode_json_object(parts->header);
  if (!header || header->contains("crit")) return fail(refused_token());
  const auto alg = header->find("alg");
  const auto kid = header->find("kid");
  if (alg == header->end() || !alg->is_string() || kid == header->end() || !kid->is_string()) {
    return fail(refused_token());
  }
  const OidcSigningKey* key = find(kid->get_ref<const std::string&>());
  // The key decides the algorithm, never the token: "none", HS256 with the public key as
  // its secret, or RS256 named on an EC key are all refused here.
  if (key == nullptr || alg->get_ref<const std::string&>() != to_string(key->algorithm())) {
    return fail(refused_token());
  }
  const auto signature = base64url_decode(parts->signature);
  const std::string_view signing_input =
      token.substr(0, parts->header.size() + 1 + parts->payload.size());
  if (!signature || !key->verify(signing_input, *signature)) return fail(refused_token());
  auto payload = decode_json_object(parts->payload);
  if (!payload) return fail(refused_token());
  return std::move(*payload);
}

nlohmann::json OidcKeySet::jwks() const {
  nlohmann::json keys = nlohmann::json::array();
  for (const Key& key : published_) keys.push_back(key->public_jwk());
  return {{"keys", std::move(keys)}};
}

std::vector<std::string> OidcKeySet::signing_algorithms() const { return {"RS256", "ES256"}; }

std::string OidcKeySet::current_kid(std::string_view alg) const {
  const auto algorithm = jws_algorithm_named(alg);
  if (!algorithm) return {};
  return *algorithm == JwsAlgorithm::kRs256 ? current_rs256_->kid() : current_es256_->kid();
}

bool OidcKeySet::publishes(std::string_view kid) const { return find(kid) != nullptr; }

std::optional<std::string> OidcKeySet::kid_of(std::string_view token) {
  const auto parts = split_compact(token);
  if (!parts) return std::nullopt;
  const auto header = decode_json_object(parts->header);
  if (!header) return std::nullopt;
  const auto kid = header->find("kid");
  if (kid == header->end() || !kid->is_string()) return std::nullopt;
  return kid->get<std::string>();
}

}  // namespace automation::oidc
