#include "automation/core/signature_service.hpp"

#include <algorithm>
#include <utility>

#include "automation/core/password_rules.hpp"
#include "automation/core/policy.hpp"
#include "automation/core/policy_subjects.hpp"
#include "automation/core/signature_encoding.hpp"
#include "automation/core/text.hpp"
#include "automation/core/user_service.hpp"
#include "automation/core/validation.hpp"

namespace automation {
namespace {

constexpr std::size_t kSignatureIdBytes = 16;  // 32 hex characters
constexpr std::size_t kDigestHexLength = 64;   // SHA-256
constexpr std::size_t kMaxCodeLength = 64;
constexpr int kMaxListed = 1000;
constexpr int kWalkPage = 1000;

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

bool is_signature_id(std::string_view text) {
  return text.size() == 2 * kSignatureIdBytes && is_hex(text) && to_lower_ascii(text) == text;
}

Status check_record_type(std::string_view type) {
  const bool ok = !type.empty() && type.size() <= kMaxRecordType &&
                  std::all_of(type.begin(), type.end(), [](char c) {
                    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
                           c == ':' || c == '/';
                  });
  if (ok) return {};
  return fail(Error::invalid("record_type", "1-64 of letters, digits, '.', '_', '-', ':', '/'"));
}

// Text shown to people as part of a signed record: it must read as what it is.
Status check_shown_text(const char* field, std::string_view text, std::size_t max_characters,
                        bool allow_line_breaks) {
  if (!is_valid_utf8(text)) return fail(Error::invalid(field, "must be UTF-8 text"));
  if (utf8_length(text) > max_characters) {
    return fail(Error::invalid(field, "must be at most " + std::to_string(max_characters) +
                                          " characters"));
  }
  std::string without_breaks(text);
  if (allow_line_breaks) {
    std::replace_if(
        without_breaks.begin(), without_breaks.end(),
        [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  }
  if (has_control_characters(without_breaks) || has_invisible_controls(text)) {
    return fail(Error::invalid(field, "must not contain control or bidirectional formatting "
                                      "characters"));
  }
  return {};
}

std::string meaning_list(const SignatureSettings& settings) {
  std::string list;
  for (const SignatureMeaning& meaning : settings.meanings) {
    if (!list.empty()) list += ", ";
    list += meaning.name;
  }
  return list;
}

// §11.50(a)(1): the printed name of the signer.
std::string printed_name_of(const User& user) {
  std::string name;
  for (const auto& part : {user.name, user.lastname}) {
    if (!part || part->empty()) continue;
    if (!name.empty()) name += ' ';
    name += *part;
  }
  return name.empty() ? user.username : name;
}

std::unexpected<Error> not_found(std::string_view id) {
  return fail(ErrorCode::kNotFound, "Signature " + std::string(id) + " not found");
}

}  // namespace

SignatureService::SignatureService(const Ports& ports, SessionService& sessions,
                                   const CoreSettings& settings,
                                   SignatureSecondFactor* second_factor)
    : ports_(ports), sessions_(sessions), settings_(settings), second_factor_(second_factor) {}

Status SignatureService::validate(const SignRequest& request) const {
  const SignatureSettings& rules = settings_.signatures;
  ValidationErrors errors;
  if (!rules.find(request.meaning)) {
    errors.check(fail(Error::invalid("meaning", "must be one of: " + meaning_list(rules))));
  }
  if (request.password.empty()) {
    errors.check(fail(Error::invalid("password", "is required")));
  } else if (request.password.size() > kMaxPasswordBytes) {
    errors.check(fail(Error::invalid("password", "must be at most 1024 bytes")));
  }
  if (request.username && !is_plausible_lookup_key(*request.username)) {
    errors.check(fail(Error::invalid("username", "is not a username")));
  }
  if (request.code && request.code->size() > kMaxCodeLength) {
    errors.check(fail(Error::invalid("code", "must be at most 64 characters")));
  }
  if (request.verifies && !is_signature_id(*request.verifies)) {
    errors.check(fail(Error::invalid("verifies", "is not a signature id (32 lowercase hex)")));
  }
  if (!request.verifies) {
    // A countersignature takes its record from the signature it verifies.
    for (const auto& [field, value] :
         {std::pair<const char*, const std::optional<std::string>*>{"record_type",
                                                                   &request.record_type},
          {"record_id", &request.record_id},
          {"record_digest", &request.record_digest}}) {
      if (!*value) errors.check(fail(Error::invalid(field, "is required")));
    }
  }
  if (request.record_type) errors.check(check_record_type(*request.record_type));
  if (request.record_id) {
    if (request.record_id->empty()) {
      errors.check(fail(Error::invalid("record_id", "must not be empty")));
    } else {
      errors.check(check_shown_text("record_id", *request.record_id, kMaxRecordId, false));
    }
  }
  if (request.record_digest &&
      (request.record_digest->size() != kDigestHexLength || !is_hex(*request.record_digest))) {
    errors.check(fail(Error::invalid("record_digest", "must be a SHA-256 in hex (64 characters)")));
  }
  if (request.comment) {
    errors.check(check_shown_text("comment", *request.comment, kMaxSignatureComment, true));
  }
  const bool no_comment =
      !request.comment || request.comment->find_first_not_of(" \t\r\n") == std::string::npos;
  if (no_comment && rules.needs_comment(request.meaning)) {
    errors.check(fail(Error::invalid("comment", "is required for the meaning " + request.meaning)));
  }
  return errors.result();
}

Result<Signature> SignatureService::verified_signature(const Principal& signer,
                                                       const SignRequest& request,
                                                       SignedRecord& record) {
  const std::string& id = *request.verifies;
  auto found = ports_.store.find_signature(id);
  if (!found) return fail(found.error());
  if (!*found) return not_found(id);
  Signature original = std::move(**found);
  if (!original.verifies.empty()) {
    return fail(ErrorCode::kRuleViolation, "a verification cannot itself be verified");
  }
  const SignatureMeaning* meaning = settings_.signatures.find(request.meaning);
  const auto decision =
      policy::decide_countersign(actor_of(signer), original.signer_id, meaning->max_level);
  if (!decision.allowed) return fail(decision.status().error());
  // The verifier confirms the very record the signer signed: naming another is a mistake
  // (or the record changed since), never a silent re-pointing.
  const bool same = (!request.record_type || *request.record_type == original.record.type) &&
                    (!request.record_id || *request.record_id == original.record.id) &&
                    (!request.record_digest ||
                     to_lower_ascii(*request.record_digest) == original.record.digest);
  if (!same) {
    Error error = Error::make(ErrorCode::kRuleViolation,
                              "the record differs from the one signature " + id + " signed");
    error.type = "record_mismatch";
    return fail(std::move(error));
  }
  auto existing = ports_.store.find_verification(id);
  if (!existing) return fail(existing.error());
  if (*existing) {
    Error error = Error::make(ErrorCode::kAlreadyExists, "Signature " + id +
                                                             " is already verified (by " +
                                                             (*existing)->username + ")");
    error.fields = {{"verifies", "already verified"}};
    return fail(std::move(error));
  }
  record = original.record;
  return original;
}

Result<std::string> SignatureService::check_components(const Principal& signer,
                                                       const SignRequest& request,
                                                       std::string_view address) {
  auto signed_before = ports_.store.session_signed_at(signer.session_digest);
  if (!signed_before) return fail(signed_before.error());
  if (!*signed_before && !request.username) {
    return fail(Error::invalid("username", "is required for the first signature of a session "
                                           "(both components, 21 CFR 11.200(a)(1)(i))"));
  }
  const User& user = *signer.user;
  Credentials credentials{request.username.value_or(user.username), std::nullopt,
                          request.password};
  // Throttled and counted exactly like a login (the attempt is reserved before the KDF).
  auto proven = sessions_.verify_credentials(credentials, address);
  if (!proven && proven.error().code != ErrorCode::kPermissionDenied) return fail(proven.error());
  // Someone else's (right) credentials on this session do not make a signature of theirs.
  if (!proven || proven->identifier != user.identifier) {
    Error error = Error::make(ErrorCode::kPermissionDenied, "Invalid credentials");
    error.type = std::string(kInvalidSignatureCredentials);
    return fail(std::move(error));
  }
  if (second_factor_ != nullptr) {
    if (auto code = second_factor_->check(*proven, request.code, address); !code) {
      return fail(code.error());
    }
  }
  return std::string(request.username ? kSignedWithUsernameAndPassword : kSignedWithPassword);
}

Result<Signature> SignatureService::sign(const Principal& signer, const SignRequest& request,
                                         std::string_view address) {
  if (settings_.signatures.meanings.empty()) {
    return fail(ErrorCode::kPermissionDenied,
                "Electronic signatures are off: no meaning is configured "
                "(AUTOMATION_SIGNATURE_MEANINGS)");
  }
  if (auto valid = validate(request); !valid) return fail(valid.error());
  const SignatureMeaning* meaning = settings_.signatures.find(request.meaning);
  const auto decision = policy::decide_sign(actor_of(signer), meaning->max_level);
  if (!decision.allowed) return fail(decision.status().error());

  SignedRecord record{request.record_type.value_or(""), request.record_id.value_or(""),
                      to_lower_ascii(request.record_digest.value_or(""))};
  if (request.verifies) {
    auto original = verified_signature(signer, request, record);
    if (!original) return fail(original.error());
  }
  auto authentication = check_components(signer, request, address);
  if (!authentication) return fail(authentication.error());

  const User& user = *signer.user;
  const UnixSeconds now = ports_.clock.now();
  // An account whose password expired since the session began cannot sign (it could not log
  // in either). Sudo accounts have no expiry (their passwords are the CLI's business).
  if (settings_.password_policy.max_age_days > 0 &&
      !policy::is_sudo_role(signer.role.name, signer.role.level)) {
    auto state = ports_.passwords.password_state(user.id);
    if (!state) return fail(state.error());
    if (password_expired(*state, now, settings_.password_policy.max_age_days)) {
      Error error = Error::make(ErrorCode::kPermissionDenied,
                                "Your password has expired: change it before signing");
      error.type = std::string(kPasswordExpired);
      return fail(std::move(error));
    }
  }

  Signature signature;
  signature.id = ports_.random.random_hex(kSignatureIdBytes);
  signature.signer_id = user.identifier;
  signature.username = user.username;
  signature.printed_name = printed_name_of(user);
  signature.role = signer.role.name;
  signature.meaning = request.meaning;
  signature.signed_at = now;
  signature.record = std::move(record);
  signature.comment = request.comment.value_or("");
  signature.verifies = request.verifies.value_or("");
  signature.authentication = std::move(*authentication);
  signature.key_id = ports_.sealer.public_key().key_id;
  signature.value = ports_.sealer.seal(signature_message(signature));

  if (auto added = ports_.store.add_signature(signature); !added) {
    Error error = added.error();
    if (error.code == ErrorCode::kAlreadyExists && error.fields.contains("verifies")) {
      error.message = "Signature " + signature.verifies + " is already verified";
    }
    return fail(std::move(error));
  }
  if (auto marked = ports_.store.mark_session_signed(signer.session_digest, now); !marked) {
    // The session ended while the password was checked (a logout on another screen).
    if (marked.error().code == ErrorCode::kNotFound) {
      return fail(ErrorCode::kUnauthenticated, "Invalid token");
    }
    return fail(marked.error());
  }
  return signature;
}

Result<std::shared_ptr<const SignatureVerifier>> SignatureService::verifier_for(
    const std::string& key_id) {
  const std::lock_guard lock(verifier_mutex_);
  if (!verifier_ || !verifier_->knows_key(key_id)) {
    auto made = make_verifier();
    if (!made) return fail(made.error());
    verifier_ = std::move(*made);
  }
  return verifier_;
}

Result<std::unique_ptr<SignatureVerifier>> SignatureService::make_verifier() {
  auto keys = ports_.store.public_keys();
  if (!keys) return fail(keys.error());
  // The current key verifies even before it was published (or when publishing failed).
  keys->push_back(ports_.sealer.public_key());
  return std::make_unique<SignatureVerifier>(ports_.checker, *keys);
}

Result<SignatureView> SignatureService::view_of(Signature signature) {
  auto verifier = verifier_for(signature.key_id);
  if (!verifier) return fail(verifier.error());
  SignatureView view;
  if (auto problem = (*verifier)->problem(signature)) view.problem = std::move(*problem);
  view.intact = view.problem.empty();
  if (signature.verifies.empty()) {
    view.verification_required = settings_.signatures.needs_verification(signature.meaning);
    auto verification = ports_.store.find_verification(signature.id);
    if (!verification) return fail(verification.error());
    view.verification = std::move(*verification);
  }
  view.signature = std::move(signature);
  return view;
}

Result<SignatureView> SignatureService::get(std::string_view id) {
  if (!is_signature_id(id)) return not_found(id);
  auto found = ports_.store.find_signature(id);
  if (!found) return fail(found.error());
  if (!*found) return not_found(id);
  return view_of(std::move(**found));
}

Result<std::vector<SignatureView>> SignatureService::list(
    const std::optional<std::string>& record_type, const std::optional<std::string>& record_id,
    const std::optional<std::string>& signer_id, int limit) {
  auto found = ports_.store.list_signatures(record_type, record_id, signer_id,
                                            std::clamp(limit, 1, kMaxListed));
  if (!found) return fail(found.error());
  std::vector<SignatureView> views;
  views.reserve(found->size());
  for (Signature& signature : *found) {
    auto view = view_of(std::move(signature));
    if (!view) return fail(view.error());
    views.push_back(std::move(*view));
  }
  return views;
}

Result<SignatureVerification> SignatureService::verify(
    std::string_view id, const std::optional<std::string>& record_digest) {
  if (record_digest && (record_digest->size() != kDigestHexLength || !is_hex(*record_digest))) {
    return fail(Error::invalid("record_digest", "must be a SHA-256 in hex (64 characters)"));
  }
  auto view = get(id);
  if (!view) return fail(view.error());
  SignatureVerification verification{std::move(*view), std::nullopt};
  if (record_digest) {
    verification.matches_record =
        to_lower_ascii(*record_digest) == verification.view.signature.record.digest;
  }
  return verification;
}

Result<PublishedKeys> SignatureService::keys() {
  auto keys = ports_.store.public_keys();
  if (!keys) return fail(keys.error());
  const SigningPublicKey& current = ports_.sealer.public_key();
  const bool listed = std::any_of(keys->begin(), keys->end(), [&](const SigningPublicKey& key) {
    return key.key_id == current.key_id;
  });
  if (!listed) keys->push_back(current);
  return PublishedKeys{std::move(*keys), current.key_id};
}

Status SignatureService::publish_current_key() {
  SigningPublicKey key = ports_.sealer.public_key();
  key.first_used_at = ports_.clock.now();
  return ports_.store.add_public_key(key);
}

Result<SignatureWalk> SignatureService::verify_all(const SignatureVerifier& verifier) {
  SignatureWalk walk(verifier);
  std::int64_t after = 0;
  for (;;) {
    std::int64_t next = after;
    auto page = ports_.store.signatures_in_order(after, kWalkPage, next);
    if (!page) return fail(page.error());
    for (const Signature& signature : *page) {
      if (!walk.add(signature)) return walk;
    }
    if (static_cast<int>(page->size()) < kWalkPage) return walk;
    after = next;
  }
}

}  // namespace automation
