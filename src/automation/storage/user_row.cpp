#include "automation/storage/user_row.hpp"

namespace automation::storage {

namespace {

std::string text_or_empty(const std::string& value, soci::indicator ind) {
  return ind == soci::i_ok ? value : std::string();
}

std::optional<std::string> text_or_null(const std::string& value, soci::indicator ind) {
  if (ind != soci::i_ok) return std::nullopt;
  return value;
}

}  // namespace

void UserRow::bind(soci::statement& st) {
  st.exchange(soci::into(id_));
  st.exchange(soci::into(identifier_, identifier_ind_));
  st.exchange(soci::into(username_, username_ind_));
  st.exchange(soci::into(email_, email_ind_));
  st.exchange(soci::into(password_, password_ind_));
  st.exchange(soci::into(name_, name_ind_));
  st.exchange(soci::into(lastname_, lastname_ind_));
  st.exchange(soci::into(role_id_));
  st.exchange(soci::into(role_identifier_, role_identifier_ind_));
  st.exchange(soci::into(role_name_, role_name_ind_));
  st.exchange(soci::into(role_level_));
}

User UserRow::to_user() const {
  User user;
  user.id = id_;
  user.identifier = text_or_empty(identifier_, identifier_ind_);
  user.username = text_or_empty(username_, username_ind_);
  user.email = text_or_empty(email_, email_ind_);
  user.password_hash = text_or_empty(password_, password_ind_);
  user.name = text_or_null(name_, name_ind_);
  user.lastname = text_or_null(lastname_, lastname_ind_);
  user.role.id = role_id_;
  user.role.identifier = text_or_empty(role_identifier_, role_identifier_ind_);
  user.role.name = text_or_empty(role_name_, role_name_ind_);
  user.role.level = role_level_;
  return user;
}

}  // namespace automation::storage
