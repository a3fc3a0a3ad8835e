#include "automation/core/validation.hpp"

#include <algorithm>
#include <array>

#include "automation/core/text.hpp"

namespace automation {
namespace {

constexpr std::array<std::string_view, 17> kReservedWords = {
    "login",         "logout",         "logout_all",  "signup",     "roles",
    "change_password", "reset_password", "update_role", "create_tpt", "tpts",
    "me",            "credentials_are_valid", "audit", "add",      "health",
    "ping",          "users"};

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Shared by usernames and role names: letters, digits, '.', '_', '-', starting alphanumeric.
Status validate_identifier_like(std::string_view field, std::string_view value,
                                std::size_t max_length) {
  if (value.empty()) return fail(Error::invalid(std::string(field), "must not be empty"));
  if (value.size() > max_length) {
    return fail(Error::invalid(std::string(field),
                               "must be at most " + std::to_string(max_length) + " characters"));
  }
  const bool charset_ok = std::all_of(value.begin(), value.end(), [](char c) {
    return is_ascii_alnum(c) || c == '.' || c == '_' || c == '-';
  });
  if (!charset_ok || !is_ascii_alnum(value.front())) {
    return fail(Error::invalid(
        std::string(field),
        "use letters, digits, '.', '_' or '-', starting with a letter or digit"));
  }
  return {};
}

}  // namespace

bool is_reserved_word(std::string_view word) {
  const std::string lower = to_lower_ascii(word);
  return std::find(kReservedWords.begin(), kReservedWords.end(), lower) != kReservedWords.end();
}

Status validate_username(std::string_view username) {
  if (auto status = validate_identifier_like("username", username, kMaxUsernameLength); !status) {
    return status;
  }
  if (is_reserved_word(username)) {
    return fail(Error::invalid("username", "is a reserved word"));
  }
  return {};
}

Status validate_email(std::string_view email) {
  if (email.empty()) return fail(Error::invalid("email", "must not be empty"));
  if (email.size() > kMaxEmailLength) {
    return fail(Error::invalid("email", "must be at most 128 characters"));
  }
  const auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == email.size() ||
      email.find('@', at + 1) != std::string_view::npos) {
    return fail(Error::invalid("email", "must look like name@domain"));
  }
  const std::string_view local = email.substr(0, at);
  const std::string_view domain = email.substr(at + 1);
  constexpr std::string_view kLocalSpecials = "!#$%&'*+/=?^_`{|}~.-";
  const bool local_ok = std::all_of(local.begin(), local.end(), [&](char c) {
    return is_ascii_alnum(c) || kLocalSpecials.find(c) != std::string_view::npos;
  });
  // Domain: dot-separated labels of letters, digits and '-' (a single label such as
  // "localhost" is accepted: plants run on closed networks).
  bool domain_ok = domain.front() != '.' && domain.back() != '.' &&
                   domain.find("..") == std::string_view::npos;
  domain_ok = domain_ok && std::all_of(domain.begin(), domain.end(), [](char c) {
                return is_ascii_alnum(c) || c == '-' || c == '.';
              });
  if (!local_ok || !domain_ok) return fail(Error::invalid("email", "must look like name@domain"));
  return {};
}

Status validate_password(std::string_view password, std::size_t min_length) {
  if (password.size() > kMaxPasswordBytes) {
    return fail(Error::invalid("password", "must be at most 1024 bytes"));
  }
  if (password.find('\0') != std::string_view::npos) {
    return fail(Error::invalid("password", "must not contain NUL characters"));
  }
  if (!is_valid_utf8(password)) return fail(Error::invalid("password", "must be valid UTF-8"));
  if (utf8_length(password) < min_length) {
    return fail(Error::invalid("password",
                               "must be at least " + std::to_string(min_length) + " characters"));
  }
  return {};
}

Status validate_person_name(std::string_view field, std::string_view value) {
  if (!is_valid_utf8(value)) return fail(Error::invalid(std::string(field), "must be valid UTF-8"));
  if (has_control_characters(value) || has_invisible_controls(value)) {
    return fail(Error::invalid(std::string(field),
                               "must not contain control or bidirectional formatting characters"));
  }
  if (utf8_length(value) > kMaxPersonNameLength) {
    return fail(Error::invalid(std::string(field), "must be at most 64 characters"));
  }
  return {};
}

Status validate_role_name(std::string_view name) {
  return validate_identifier_like("name", name, kMaxRoleNameLength);
}

void ValidationErrors::check(const Status& status) {
  if (status) return;
  if (!merged_) {
    merged_ = status.error();
    return;
  }
  for (const auto& [field, why] : status.error().fields) merged_->fields.emplace(field, why);
  merged_->message = "Invalid input";
}

Status ValidationErrors::result() const {
  if (merged_) return fail(*merged_);
  return {};
}

}  // namespace automation
