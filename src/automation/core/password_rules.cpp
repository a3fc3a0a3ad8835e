#include "automation/core/password_rules.hpp"

#include <string>

#include "automation/core/validation.hpp"

namespace automation {

Error password_rule_error(std::string_view rule, std::string_view field, std::string why) {
  Error error = Error::invalid(std::string(field), why);
  error.code = ErrorCode::kRuleViolation;
  error.message = "Invalid " + std::string(field) + ": " + why;
  error.type = std::string(rule);
  return error;
}

int character_classes(std::string_view password) {
  bool lower = false, upper = false, digit = false, other = false;
  for (const char c : password) {
    if (c >= 'a' && c <= 'z') {
      lower = true;
    } else if (c >= 'A' && c <= 'Z') {
      upper = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      other = true;
    }
  }
  return int{lower} + int{upper} + int{digit} + int{other};
}

Status check_character_classes(std::string_view password, int minimum, std::string_view field) {
  if (character_classes(password) >= minimum) return {};
  return fail(password_rule_error(
      kRuleCharacterClasses, field,
      "must use at least " + std::to_string(minimum) +
          " of: lower case letters, upper case letters, digits, other characters"));
}

Status check_minimum_age(const PasswordState& state, UnixSeconds now,
                         std::int64_t min_age_hours) {
  if (min_age_hours <= 0 || now - state.set_at >= min_age_hours * 3600) return {};
  return fail(password_rule_error(
      kRuleMinimumAge, "new_password",
      "your password was changed less than " + std::to_string(min_age_hours) +
          " hours ago; it may be changed again after that"));
}

bool password_expired(const PasswordState& state, UnixSeconds now, std::int64_t max_age_days) {
  return max_age_days > 0 && now - state.set_at >= max_age_days * 86400;
}

PasswordChangeDemand demand_at_login(const PasswordState& state, UnixSeconds now,
                                     const PasswordPolicySettings& settings) {
  if (settings.change_on_first_login && state.must_change) return PasswordChangeDemand::kRequired;
  if (password_expired(state, now, settings.max_age_days)) return PasswordChangeDemand::kExpired;
  return PasswordChangeDemand::kNone;
}

PasswordRules password_rules(const CoreSettings& settings) {
  const PasswordPolicySettings& policy = settings.password_policy;
  return {.min_length = settings.password_min_length,
          .max_bytes = kMaxPasswordBytes,
          .min_character_classes = policy.min_character_classes,
          .dictionary_check = policy.dictionary_check,
          .history = policy.history,
          .min_age_hours = policy.min_age_hours,
          .max_age_days = policy.max_age_days};
}

Status PasswordStrength::check(std::string_view password, std::string_view username,
                               std::string_view field) const {
  if (auto valid = validate_password(password, settings_.password_min_length); !valid) {
    Error error = valid.error();
    const std::string why = error.fields.begin()->second;
    error.fields = {{std::string(field), why}};
    if (field != "password") error.message = "Invalid " + std::string(field) + ": " + why;
    return fail(std::move(error));
  }
  const PasswordPolicySettings& policy = settings_.password_policy;
  if (auto classes = check_character_classes(password, policy.min_character_classes, field);
      !classes) {
    return classes;
  }
  if (dictionary_ != nullptr) {
    if (auto weakness = dictionary_->weakness(password, username)) {
      return fail(
          password_rule_error(kRuleDictionary, field, "is too easy to guess: " + *weakness));
    }
  }
  return {};
}

}  // namespace automation
