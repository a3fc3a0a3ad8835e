#pragma once

// The password rules of docs/security-controls.md (IEC 62443-4-2 CR 1.5, CR 1.7 RE1;
// 21 CFR Part 11 §11.300(b)). Pure functions; each refusal is kRuleViolation naming the
// field and, in Error::type, the rule ("password_<rule>").

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "automation/core/error.hpp"
#include "automation/core/model.hpp"
#include "automation/core/ports.hpp"
#include "automation/core/settings.hpp"

namespace automation {

// Error::type of each rule.
inline constexpr std::string_view kRuleCharacterClasses = "password_character_classes";
inline constexpr std::string_view kRuleDictionary = "password_dictionary";
inline constexpr std::string_view kRuleReused = "password_reused";
inline constexpr std::string_view kRuleMinimumAge = "password_minimum_age";
// Error::type of a session that must change its password (403 on everything else).
inline constexpr std::string_view kPasswordChangeRequired = "password_change_required";
// Error::type of a login whose password has expired (403 that still carries a key).
inline constexpr std::string_view kPasswordExpired = "password_expired";

// A refusal by `rule` of the password given in `field`.
Error password_rule_error(std::string_view rule, std::string_view field, std::string why);

// How many of lower case, upper case, digit and other (anything else, non-ASCII included)
// the password uses: 0-4.
int character_classes(std::string_view password);

// At least `minimum` character classes.
Status check_character_classes(std::string_view password, int minimum, std::string_view field);

// A change by the owner less than min_age_hours after the password was set.
Status check_minimum_age(const PasswordState& state, UnixSeconds now, std::int64_t min_age_hours);

// The password is at least max_age_days old (never with max_age_days 0).
bool password_expired(const PasswordState& state, UnixSeconds now, std::int64_t max_age_days);

// What a login with this password state must do first, under the settings.
PasswordChangeDemand demand_at_login(const PasswordState& state, UnixSeconds now,
                                     const PasswordPolicySettings& settings);

// The rules a new password must meet, for a client to show before they are broken (GET
// /api/users/me/password_rules): the settings PasswordStrength and the change checks apply.
struct PasswordRules {
  std::size_t min_length = 0;  // characters (code points)
  std::size_t max_bytes = 0;   // UTF-8 bytes
  int min_character_classes = 0;
  bool dictionary_check = false;
  int history = 0;                  // the last N passwords may not be used again
  std::int64_t min_age_hours = 0;   // an owner's next change no sooner than this
  std::int64_t max_age_days = 0;    // must be changed at login once this old; 0 = never
};

PasswordRules password_rules(const CoreSettings& settings);

// Who sets a password decides which lifetime rules apply.
enum class PasswordSetter {
  kOwner,          // the user, for themselves: the minimum age applies
  kSomeoneElse,    // an admin, sudo or the command-line tool: the owner may have to change it
  kConfiguration,  // the system user's password from the configuration, at start
};

// Length (SPEC's validation), character classes and, when a dictionary is given, cracklib's
// judgement, for the password in `field`.
class PasswordStrength {
 public:
  PasswordStrength(const CoreSettings& settings, PasswordDictionary* dictionary)
      : settings_(settings), dictionary_(dictionary) {}

  Status check(std::string_view password, std::string_view username,
               std::string_view field) const;

 private:
  const CoreSettings& settings_;
  PasswordDictionary* dictionary_;  // nullptr: no dictionary check
};

}  // namespace automation
