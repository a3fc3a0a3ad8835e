#include "automation/oidc/key_ring.hpp"

#include <nlohmann/json.hpp>

namespace automation::oidc {

namespace {

constexpr int kKeyRingVersion = 1;

Error bad_ring(const std::string& why) {
  return Error::make(ErrorCode::kInvalidArgument, "the kept OIDC signing keys " + why);
}

Result<KeptOidcKey> new_current_key(JwsAlgorithm algorithm) {
  auto key = OidcSigningKey::generate(algorithm);
  if (!key) return fail(key.error());
  auto pem = key->private_pem();
  if (!pem) return fail(pem.error());
  return KeptOidcKey{std::make_shared<const OidcSigningKey>(std::move(*key)), std::move(*pem),
                     true, std::nullopt};
}

}  // namespace

Result<OidcKeyRing> OidcKeyRing::generate() {
  OidcKeyRing ring;
  for (const JwsAlgorithm algorithm : {JwsAlgorithm::kRs256, JwsAlgorithm::kEs256}) {
    auto key = new_current_key(algorithm);
    if (!key) return fail(key.error());
    ring.keys_.push_back(std::move(*key));
  }
  return ring;
}

Result<OidcKeyRing> OidcKeyRing::parse(std::string_view text) {
  const nlohmann::json kept = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!kept.is_object()) return fail(bad_ring("are not a JSON object"));
  const auto version = kept.find("version");
  if (version == kept.end() || !version->is_number_integer() ||
      version->get<int>() != kKeyRingVersion) {
    return fail(bad_ring("are of an unknown version (written by a newer release?)"));
  }
  const auto listed = kept.find("keys");
  if (listed == kept.end() || !listed->is_array()) return fail(bad_ring("list no keys"));
  OidcKeyRing ring;
  int current_rs256 = 0;
  int current_es256 = 0;
  for (const nlohmann::json& item : *listed) {
    const std::string position = "(key " + std::to_string(ring.keys_.size() + 1) + ")";
    if (!item.is_object()) return fail(bad_ring(position + " hold a key that is not an object"));
    const auto pem = item.find("pem");
    const auto current = item.find("current");
    const auto retire_at = item.find("retire_at");
    if (pem == item.end() || !pem->is_string() || current == item.end() ||
        !current->is_boolean() ||
        (retire_at != item.end() && !retire_at->is_number_integer())) {
      return fail(bad_ring(position + " hold a key without pem, current or a whole retire_at"));
    }
    auto key = OidcSigningKey::from_pem(pem->get_ref<const std::string&>());
    if (!key) return fail(bad_ring(position + " hold a key that " + key.error().message));
    KeptOidcKey kept_key{std::make_shared<const OidcSigningKey>(std::move(*key)),
                         pem->get<std::string>(), current->get<bool>(), std::nullopt};
    if (retire_at != item.end()) kept_key.retire_at = retire_at->get<UnixSeconds>();
    if (kept_key.current) {
      ++(kept_key.key->algorithm() == JwsAlgorithm::kRs256 ? current_rs256 : current_es256);
    }
    ring.keys_.push_back(std::move(kept_key));
  }
  if (current_rs256 != 1 || current_es256 != 1) {
    return fail(bad_ring("must hold exactly one current RS256 and one current ES256 key"));
  }
  return ring;
}

std::string OidcKeyRing::serialize() const {
  nlohmann::json listed = nlohmann::json::array();
  for (const KeptOidcKey& key : keys_) {
    nlohmann::json item = {{"pem", key.pem}, {"current", key.current}};
    if (key.retire_at) item["retire_at"] = *key.retire_at;
    listed.push_back(std::move(item));
  }
  return nlohmann::json{{"version", kKeyRingVersion}, {"keys", std::move(listed)}}.dump();
}

Result<OidcKeyRing> OidcKeyRing::rotated(UnixSeconds now, UnixSeconds keep_seconds) const {
  auto fresh = generate();
  if (!fresh) return fail(fresh.error());
  OidcKeyRing ring = std::move(*fresh);
  for (const KeptOidcKey& key : keys_) {
    if (key.retire_at && *key.retire_at <= now) continue;
    KeptOidcKey kept = key;
    if (kept.current) {
      kept.current = false;
      kept.retire_at = now + keep_seconds;
    }
    ring.keys_.push_back(std::move(kept));
  }
  return ring;
}

Result<std::shared_ptr<const OidcKeySet>> OidcKeyRing::key_set(UnixSeconds now) const {
  std::vector<OidcKeySet::Key> current;
  std::vector<OidcKeySet::Key> published;
  for (const KeptOidcKey& key : keys_) {
    if (key.current) {
      current.push_back(key.key);
    } else if (!key.retire_at || *key.retire_at > now) {
      published.push_back(key.key);
    }
  }
  auto set = OidcKeySet::make(std::move(current), std::move(published));
  if (!set) return fail(bad_ring(set.error().message));
  return std::make_shared<const OidcKeySet>(std::move(*set));
}

std::optional<UnixSeconds> OidcKeyRing::next_retirement(UnixSeconds now) const {
  std::optional<UnixSeconds> next;
  for (const KeptOidcKey& key : keys_) {
    if (key.current || !key.retire_at || *key.retire_at <= now) continue;
    if (!next || *key.retire_at < *next) next = key.retire_at;
  }
  return next;
}

}  // namespace automation::oidc
