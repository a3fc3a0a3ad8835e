#include "automation/core/tpt_service.hpp"

#include <utility>

#include "automation/core/policy.hpp"
#include "automation/core/text.hpp"
#include "automation/core/time_format.hpp"
#include "automation/core/user_service.hpp"

namespace automation {
namespace {

constexpr std::int64_t kMaxExpirySeconds = 100LL * 365 * 24 * 3600;
constexpr std::size_t kMaxDescriptionLength = 256;
constexpr std::size_t kMinSecretBytes = 32;
constexpr const char* kSecretSettingKey = "tpt_secret";

std::unexpected<Error> invalid_third_party_token() {
  return fail(ErrorCode::kUnauthenticated, "Invalid token");
}

}  // namespace

TptService::TptService(const Ports& ports, std::string secret)
    : ports_(ports), secret_(std::move(secret)) {}

Result<TptCreated> TptService::create_tpt(const TptRequest& request, std::string_view created_by) {
  if (!is_plausible_lookup_key(request.role_name)) {
    return fail(Error::invalid("role_name", "unknown role"));
  }
  auto role = ports_.roles.find_role(request.role_name);
  if (!role) {
    if (role.error().code != ErrorCode::kNotFound) return fail(role.error());
    return fail(Error::invalid("role_name", "unknown role"));
  }
  if (const auto allowed = policy::decide_tpt_role(role->name, role->level); !allowed.allowed) {
    return fail(Error::invalid("role_name", allowed.reason));
  }
  if (request.expires_in_seconds &&
      (*request.expires_in_seconds <= 0 || *request.expires_in_seconds > kMaxExpirySeconds)) {
    return fail(Error::invalid("expires_in", "must be a positive number of seconds"));
  }
  if (request.description.size() > kMaxDescriptionLength ||
      !is_valid_utf8(request.description) || has_control_characters(request.description) ||
      has_invisible_controls(request.description)) {
    return fail(Error::invalid("description", "must be at most 256 printable characters"));
  }
  const UnixSeconds now = ports_.clock.now();
  TptClaims claims{role->name, format_utc(now), now, ports_.random.random_hex(16), std::nullopt};
  TptRecord record{claims.jti, role->name, claims.created_on, std::nullopt, std::nullopt,
                   request.description, std::string(created_by), false};
  if (request.expires_in_seconds) {
    claims.exp = now + *request.expires_in_seconds;
    record.expires_at = claims.exp;
    record.expires_on = format_utc(*claims.exp);
  }
  auto token = ports_.jwt.sign(claims, secret_);
  if (!token) return fail(token.error());
  if (auto stored = ports_.store.add_tpt(record); !stored) return fail(stored.error());
  return TptCreated{std::move(*token), std::move(record)};
}

Result<TptService::Verified> TptService::verify(std::string_view token) {
  auto claims = ports_.jwt.verify(token, secret_);
  if (!claims) return invalid_third_party_token();
  if (claims->exp && ports_.clock.now() >= *claims->exp) return invalid_third_party_token();
  // The database is the truth for revocation, so every process agrees at once; and the role
  // and the expiry are bound to the record, so a token re-signed by someone who learned the
  // secret can neither raise its role nor drop or move its exp (no exp for a record that
  // expires, or one for a record that does not, is refused too).
  auto record = ports_.store.find_tpt(claims->jti);
  if (!record) return fail(record.error());
  if (!*record || (*record)->revoked || !iequals_ascii((*record)->role, claims->role) ||
      (*record)->expires_at != claims->exp) {
    return invalid_third_party_token();
  }
  auto role = ports_.roles.find_role(claims->role);
  if (!role || !policy::decide_tpt_role(role->name, role->level).allowed)
    return invalid_third_party_token();
  return Verified{std::move(*role), std::move(claims->jti)};
}

Result<Role> TptService::verify_tpt(std::string_view token) {
  auto verified = verify(token);
  if (!verified) return fail(verified.error());
  return std::move(verified->role);
}

Result<std::vector<TptRecord>> TptService::list_tpts() { return ports_.store.list_tpts(); }

Status TptService::revoke_tpt(std::string_view jti) {
  if (!is_plausible_lookup_key(jti)) return fail(ErrorCode::kNotFound, "Token not found");
  return ports_.store.revoke_tpt(jti);
}

Result<TptSecret> resolve_tpt_secret(SettingsStore& settings, RandomSource& random,
                                     const std::optional<std::string>& configured) {
  if (configured) {
    if (configured->size() < kMinSecretBytes) {
      return fail(ErrorCode::kInvalidArgument,
                  "AUTOMATION_APP_SECRET_KEY must be at least 32 bytes");
    }
    return TptSecret{*configured, false};
  }
  auto stored = settings.put_setting_if_absent(kSecretSettingKey, random.random_hex(32));
  if (!stored) return fail(stored.error());
  return TptSecret{std::move(*stored), true};
}

}  // namespace automation
