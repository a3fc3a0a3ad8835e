#include "automation/core/user_service.hpp"

#include <utility>

#include "automation/core/policy.hpp"
#include "automation/core/text.hpp"
#include "automation/core/validation.hpp"

namespace automation {
namespace {

constexpr std::size_t kMaxLookupKeyBytes = 256;

std::unexpected<Error> user_not_found(std::string_view key) {
  return fail(ErrorCode::kNotFound, "User " + std::string(key) + " not found");
}

Result<User> found_or_error(Result<std::optional<User>> found, std::string_view key) {
  if (!found) return fail(found.error());
  if (!*found) return user_not_found(key);
  return std::move(**found);
}

// Empty optional name/lastname strings mean "unset" (stored as NULL, rendered as null).
std::optional<std::string> normalized_optional(const std::optional<std::string>& value) {
  if (!value || value->empty()) return std::nullopt;
  return value;
}

}  // namespace

bool is_plausible_lookup_key(std::string_view key) {
  return !key.empty() && key.size() <= kMaxLookupKeyBytes && !has_control_characters(key) &&
         is_valid_utf8(key);
}

UserService::UserService(UserStore& store, RoleService& roles, PasswordHasher& hasher,
                         RandomSource& random, Clock& clock, const CoreSettings& settings,
                         const PasswordStrength& strength)
    : store_(store),
      roles_(roles),
      hasher_(hasher),
      random_(random),
      clock_(clock),
      settings_(settings),
      strength_(strength) {}

Status UserService::validate_signup(const SignupRequest& request) const {
  ValidationErrors errors;
  errors.check(validate_username(request.username));
  errors.check(validate_email(request.email));
  errors.check(strength_.check(request.password, request.username, "password"));
  if (request.name) errors.check(validate_person_name("name", *request.name));
  if (request.lastname) errors.check(validate_person_name("lastname", *request.lastname));
  if (request.role_name && !is_plausible_lookup_key(*request.role_name)) {
    errors.check(fail(Error::invalid("role_name", "is not a valid role name")));
  }
  return errors.result();
}

Result<Role> UserService::signup_role(const SignupRequest& request, bool allow_sudo) {
  auto role = roles_.find_role(request.role_name.value_or("guest"));
  if (!role) {
    if (role.error().code != ErrorCode::kNotFound) return fail(role.error());
    return fail(Error::invalid("role_name", "unknown role"));
  }
  if (!allow_sudo && policy::is_sudo_role(role->name, role->level)) {
    return fail(ErrorCode::kPermissionDenied, "the sudo role cannot be assigned");
  }
  return role;
}

Result<User> UserService::signup(const SignupRequest& request, bool allow_sudo,
                                 PasswordSetter setter) {
  if (auto valid = validate_signup(request); !valid) return fail(valid.error());
  auto role = signup_role(request, allow_sudo);
  if (!role) return fail(role.error());
  return create_user(request, *role, setter);
}

Status UserService::ensure_unused(std::string_view field, const Result<std::optional<User>>& found,
                                  std::string_view value) {
  if (!found) return fail(found.error());
  if (!*found) return {};
  Error error = Error::make(ErrorCode::kAlreadyExists,
                            std::string(field) + " " + std::string(value) + " is already in use");
  error.fields.emplace(std::string(field), "already in use");
  return fail(std::move(error));
}

Result<User> UserService::create_user(const SignupRequest& request, const Role& role,
                                      PasswordSetter setter) {
  // Check uniqueness before paying for the hash; the unique indexes still decide races.
  for (const Status& unused :
       {ensure_unused("username", store_.find_user_by_username(request.username),
                      request.username),
        ensure_unused("email", store_.find_user_by_email(request.email), request.email)}) {
    if (!unused) return fail(unused.error());
  }
  auto hash = hasher_.hash(request.password);
  if (!hash) return fail(hash.error());
  NewUser user{random_.random_hex(8), request.username, request.email, std::move(*hash),
               role.id, normalized_optional(request.name), normalized_optional(request.lastname)};
  user.password_set_at = clock_.now();
  user.must_change_password = setter == PasswordSetter::kSomeoneElse &&
                              settings_.password_policy.change_on_first_login;
  return store_.add_user(user);
}

Result<User> UserService::get_user(std::string_view username) {
  if (!is_plausible_lookup_key(username)) return user_not_found(username);
  return found_or_error(store_.find_user_by_username(username), username);
}

Result<User> UserService::get_user_by_email(std::string_view email) {
  if (!is_plausible_lookup_key(email)) return user_not_found(email);
  return found_or_error(store_.find_user_by_email(email), email);
}

Result<User> UserService::get_user_by_identifier(std::string_view identifier) {
  if (!is_plausible_lookup_key(identifier)) return user_not_found(identifier);
  return found_or_error(store_.find_user_by_identifier(identifier), identifier);
}

Result<User> UserService::get_user_by_id(std::int64_t id) {
  return found_or_error(store_.find_user_by_id(id), std::to_string(id));
}

Result<UserPage> UserService::list_users(std::int64_t offset, std::int64_t limit) {
  return store_.list_users(offset, limit);
}

Result<UserPage> UserService::search_users(std::string_view text, std::int64_t offset,
                                           std::int64_t limit) {
  constexpr std::size_t kMaxSearchBytes = 100;
  if (text.size() > kMaxSearchBytes) {
    return fail(Error::invalid("search", "must be at most 100 bytes"));
  }
  return store_.search_users(text, offset, limit);
}

Result<std::optional<std::int64_t>> UserService::list_version() { return store_.list_version(); }

Result<User> UserService::edit_user(std::string_view username, const UserEdit& edit) {
  ValidationErrors errors;
  if (edit.email) errors.check(validate_email(*edit.email));
  if (edit.name) errors.check(validate_person_name("name", *edit.name));
  if (edit.lastname) errors.check(validate_person_name("lastname", *edit.lastname));
  if (auto valid = errors.result(); !valid) return fail(valid.error());
  auto user = get_user(username);
  if (!user) return user;
  return store_.update_profile(user->id, edit);
}

Status UserService::delete_user(std::string_view username) {
  auto user = get_user(username);
  if (!user) return fail(user.error());
  return store_.delete_user(user->id);
}

Status UserService::update_user_role(std::string_view username, std::string_view role_name,
                                     bool allow_sudo) {
  auto user = get_user(username);
  if (!user) return fail(user.error());
  if (!is_plausible_lookup_key(role_name)) {
    return fail(Error::invalid("new_role_name", "unknown role"));
  }
  auto role = roles_.find_role(role_name);
  if (!role) {
    if (role.error().code != ErrorCode::kNotFound) return fail(role.error());
    return fail(Error::invalid("new_role_name", "unknown role"));
  }
  if (!allow_sudo && policy::is_sudo_role(role->name, role->level)) {
    return fail(ErrorCode::kRuleViolation, "the sudo role cannot be assigned");
  }
  return store_.set_user_role(user->id, role->id);
}

}  // namespace automation
