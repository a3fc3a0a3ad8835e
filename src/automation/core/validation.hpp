#pragma once

// Validation of new user data (SPEC §2). Pure functions; each failure is a
// kInvalidArgument error naming the offending field.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "automation/core/error.hpp"

namespace automation {

inline constexpr std::size_t kMaxUsernameLength = 64;
inline constexpr std::size_t kMaxEmailLength = 128;
inline constexpr std::size_t kMaxPasswordBytes = 1024;
inline constexpr std::size_t kMaxPersonNameLength = 64;
inline constexpr std::size_t kMaxRoleNameLength = 64;

// Words the API uses as path segments under /api/users/; they never name a user.
bool is_reserved_word(std::string_view word);

Status validate_username(std::string_view username);
Status validate_email(std::string_view email);
Status validate_password(std::string_view password, std::size_t min_length);
// field is "name" or "lastname".
Status validate_person_name(std::string_view field, std::string_view value);
Status validate_role_name(std::string_view name);

// Runs every check of a signup/edit and merges all failures into one error, so the
// client learns about every bad field at once.
class ValidationErrors {
 public:
  void check(const Status& status);
  Status result() const;

 private:
  std::optional<Error> merged_;
};

}  // namespace automation
