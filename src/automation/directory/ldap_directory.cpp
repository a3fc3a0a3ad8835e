#include "automation/directory/ldap_directory.hpp"

#include <ldap.h>
#include <sys/time.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "automation/directory/ldap_filter.hpp"

namespace automation::directory {
namespace {

constexpr long kAdAccountDisable = 0x2;  // userAccountControl ACCOUNTDISABLE

// Errors that say no server answered: another URL may.
bool is_unreachable(int rc) {
  return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT ||
         rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY;
}

// One connection; unbound when it goes.
class Connection {
 public:
  Connection() = default;
  ~Connection() {
    if (ld_ != nullptr) ldap_unbind_ext_s(ld_, nullptr, nullptr);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  LDAP** out() { return &ld_; }
  LDAP* get() const { return ld_; }

  // The library's words for rc, with the server's diagnostic when it sent one.
  std::string explain(int rc) const {
    std::string text = ldap_err2string(rc);
    char* diagnostic = nullptr;
    if (ld_ != nullptr &&
        ldap_get_option(ld_, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic) == LDAP_OPT_SUCCESS &&
        diagnostic != nullptr) {
      if (*diagnostic != '\0') text += " (" + std::string(diagnostic) + ")";
      ldap_memfree(diagnostic);
    }
    return text;
  }

 private:
  LDAP* ld_ = nullptr;
};

class Messages {
 public:
  ~Messages() {
    if (message_ != nullptr) ldap_msgfree(message_);
  }
  LDAPMessage** out() { return &message_; }
  LDAPMessage* get() const { return message_; }

 private:
  LDAPMessage* message_ = nullptr;
};

// Every value of `attribute` on `entry`.
std::vector<std::string> values_of(LDAP* ld, LDAPMessage* entry, const std::string& attribute) {
  std::vector<std::string> values;
  if (attribute.empty()) return values;
  berval** found = ldap_get_values_len(ld, entry, attribute.c_str());
  if (found == nullptr) return values;
  for (berval** value = found; *value != nullptr; ++value) {
    values.emplace_back((*value)->bv_val, (*value)->bv_len);
  }
  ldap_value_free_len(found);
  return values;
}

std::optional<std::string> first_value(LDAP* ld, LDAPMessage* entry, const std::string& attribute) {
  auto values = values_of(ld, entry, attribute);
  if (values.empty()) return std::nullopt;
  return std::move(values.front());
}

// A conversation's log (for `automation ldap test`) and its answer.
class Recorder {
 public:
  explicit Recorder(std::vector<DirectoryStep>* steps) : steps_(steps) {}
  void step(std::string what, bool ok, std::string outcome) {
    if (steps_ != nullptr) steps_->push_back({std::move(what), ok, std::move(outcome)});
  }

 private:
  std::vector<DirectoryStep>* steps_;
};

DirectoryAnswer answer(DirectoryOutcome outcome, std::string detail) {
  return DirectoryAnswer{outcome, std::nullopt, std::move(detail)};
}

}  // namespace

DirectoryAnswer LdapDirectory::authenticate(std::string_view username, std::string_view password,
                                            std::vector<DirectoryStep>* steps) {
  // A simple bind with a DN and no password is an anonymous bind that succeeds (RFC 4513
  // 5.1.2): never let an empty password near the directory.
  if (password.empty()) {
    if (steps != nullptr) steps->push_back({"password", false, "empty: refused before any bind"});
    return answer(DirectoryOutcome::kWrongPassword, "empty password");
  }
  const std::string secret(password);
  return converse(username, &secret, steps);
}

DirectoryAnswer LdapDirectory::look_up(std::string_view username) {
  return converse(username, nullptr, nullptr);
}

DirectoryAnswer LdapDirectory::converse(std::string_view username, const std::string* password,
                                        std::vector<DirectoryStep>* steps) {
  Recorder record(steps);
  if (username.empty()) return answer(DirectoryOutcome::kNoSuchUser, "empty username");
  if (options_.urls.empty()) return answer(DirectoryOutcome::kFailed, "no AUTOMATION_LDAP_URLS");
  timeval timeout{options_.timeout_seconds, 0};
  std::string unreachable;  // why each server could not be reached
  auto note_unreachable = [&](const std::string& url, const std::string& why) {
    if (!unreachable.empty()) unreachable += "; ";
    unreachable += url + ": " + why;
  };

  for (const std::string& url : options_.urls) {
    Connection connection;
    int rc = ldap_initialize(connection.out(), url.c_str());
    if (rc != LDAP_SUCCESS) {
      record.step("connect " + url, false, ldap_err2string(rc));
      note_unreachable(url, ldap_err2string(rc));
      continue;
    }
    LDAP* ld = connection.get();
    const int version = LDAP_VERSION3;
    const int require =
        options_.insecure_skip_verify ? LDAP_OPT_X_TLS_NEVER : LDAP_OPT_X_TLS_DEMAND;
    const int new_context = 0;
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);  // AD's referrals lead off-site
    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &timeout);
    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &timeout);
    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require);
    if (!options_.ca_file.empty()) {
      ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, options_.ca_file.c_str());
    }
    // Last: a TLS context of this connection's own, made with the options above.
    ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &new_context);

    if (options_.start_tls && url.starts_with("ldap://")) {
      rc = ldap_start_tls_s(ld, nullptr, nullptr);
      record.step("StartTLS " + url, rc == LDAP_SUCCESS, connection.explain(rc));
      if (rc != LDAP_SUCCESS) {
        // A refused or failed TLS negotiation: this server cannot be talked to safely.
        note_unreachable(url, "StartTLS: " + connection.explain(rc));
        continue;
      }
    }

    // The service bind (anonymous without a bind DN). The first operation on an ldaps:// URL
    // is also where the connection and its TLS handshake happen.
    berval service_password{static_cast<ber_len_t>(options_.bind_password.size()),
                            const_cast<char*>(options_.bind_password.data())};
    rc = ldap_sasl_bind_s(ld, options_.bind_dn.empty() ? nullptr : options_.bind_dn.c_str(),
                          LDAP_SASL_SIMPLE, options_.bind_dn.empty() ? nullptr : &service_password,
                          nullptr, nullptr, nullptr);
    const std::string service =
        options_.bind_dn.empty() ? "anonymous bind" : "service bind as " + options_.bind_dn;
    record.step(service + " at " + url, rc == LDAP_SUCCESS, connection.explain(rc));
    if (is_unreachable(rc)) {
      note_unreachable(url, connection.explain(rc));
      continue;
    }
    if (rc != LDAP_SUCCESS) {
      return answer(DirectoryOutcome::kFailed,
                    url + ": " + service + ": " + connection.explain(rc));
    }

    // The user: exactly one entry.
    const std::string filter = expand_filter(options_.user_filter, "{username}", username);
    std::vector<std::string> wanted = {options_.username_attribute,
                                       options_.email_attribute,
                                       options_.name_attribute,
                                       options_.lastname_attribute,
                                       options_.group_attribute,
                                       "userAccountControl",
                                       "pwdLastSet"};
    std::vector<char*> attributes;
    for (std::string& attribute : wanted) {
      if (!attribute.empty()) attributes.push_back(attribute.data());
    }
    attributes.push_back(nullptr);
    Messages found;
    rc = ldap_search_ext_s(ld, options_.user_base.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(),
                           attributes.data(), 0, nullptr, nullptr, &timeout, 2, found.out());
    if (is_unreachable(rc)) {
      record.step("search " + filter, false, connection.explain(rc));
      note_unreachable(url, connection.explain(rc));
      continue;
    }
    if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
      record.step("search " + filter, false, connection.explain(rc));
      return answer(DirectoryOutcome::kFailed, url + ": search: " + connection.explain(rc));
    }
    const int entries = ldap_count_entries(ld, found.get());
    if (entries != 1) {
      const std::string why = entries == 0 ? "no entry" : "more than one entry";
      record.step("search " + filter + " under " + options_.user_base, false, why);
      return answer(DirectoryOutcome::kNoSuchUser, why + " matches the user filter");
    }
    LDAPMessage* item = ldap_first_entry(ld, found.get());
    char* dn_text = ldap_get_dn(ld, item);
    DirectoryEntry entry;
    entry.dn = dn_text != nullptr ? dn_text : "";
    if (dn_text != nullptr) ldap_memfree(dn_text);
    record.step("search " + filter + " under " + options_.user_base, true, "found " + entry.dn);
    entry.username = first_value(ld, item, options_.username_attribute).value_or("");
    entry.email = first_value(ld, item, options_.email_attribute).value_or("");
    entry.name = first_value(ld, item, options_.name_attribute);
    entry.lastname = first_value(ld, item, options_.lastname_attribute);

    // AD's account state, where the entry carries it (AD refuses these binds with codes that
    // only its diagnostic text tells apart; the attributes say it plainly).
    if (auto flags = first_value(ld, item, "userAccountControl")) {
      if ((std::strtol(flags->c_str(), nullptr, 10) & kAdAccountDisable) != 0) {
        record.step("account state", false, "userAccountControl: disabled");
        return answer(DirectoryOutcome::kDisabled, entry.dn + ": disabled");
      }
    }
    if (first_value(ld, item, "pwdLastSet") == std::optional<std::string>("0")) {
      record.step("account state", false, "pwdLastSet=0: the password must be changed");
      return answer(DirectoryOutcome::kMustChangePassword, entry.dn + ": pwdLastSet=0");
    }

    // Groups: on the entry (memberOf), or by a search.
    if (options_.group_filter.empty()) {
      entry.groups = values_of(ld, item, options_.group_attribute);
    } else {
      const std::string group_filter = expand_filter(options_.group_filter, "{dn}", entry.dn);
      const std::string& base =
          options_.group_base.empty() ? options_.user_base : options_.group_base;
      char no_attributes[] = LDAP_NO_ATTRS;
      char* only_dn[] = {no_attributes, nullptr};
      Messages groups;
      rc = ldap_search_ext_s(ld, base.c_str(), LDAP_SCOPE_SUBTREE, group_filter.c_str(), only_dn, 0,
                             nullptr, nullptr, &timeout, 0, groups.out());
      if (is_unreachable(rc)) {
        record.step("group search " + group_filter, false, connection.explain(rc));
        note_unreachable(url, connection.explain(rc));
        continue;
      }
      if (rc != LDAP_SUCCESS) {
        record.step("group search " + group_filter, false, connection.explain(rc));
        return answer(DirectoryOutcome::kFailed, url + ": group search: " + connection.explain(rc));
      }
      for (LDAPMessage* group = ldap_first_entry(ld, groups.get()); group != nullptr;
           group = ldap_next_entry(ld, group)) {
        if (char* group_dn = ldap_get_dn(ld, group)) {
          entry.groups.emplace_back(group_dn);
          ldap_memfree(group_dn);
        }
      }
    }
    std::string listed;
    for (const std::string& group : entry.groups) listed += (listed.empty() ? "" : "; ") + group;
    record.step("groups", true, listed.empty() ? "none" : listed);

    if (password != nullptr) {
      berval credential{static_cast<ber_len_t>(password->size()),
                        const_cast<char*>(password->data())};
      rc = ldap_sasl_bind_s(ld, entry.dn.c_str(), LDAP_SASL_SIMPLE, &credential, nullptr, nullptr,
                            nullptr);
      record.step("bind as " + entry.dn, rc == LDAP_SUCCESS, connection.explain(rc));
      if (is_unreachable(rc)) {
        note_unreachable(url, connection.explain(rc));
        continue;
      }
      if (rc == LDAP_INVALID_CREDENTIALS) {
        return answer(DirectoryOutcome::kWrongPassword, entry.dn + ": invalid credentials");
      }
      if (rc != LDAP_SUCCESS) {
        return answer(DirectoryOutcome::kFailed, url + ": bind as user: " + connection.explain(rc));
      }
    }
    return DirectoryAnswer{DirectoryOutcome::kAuthenticated, std::move(entry), url};
  }
  return answer(DirectoryOutcome::kUnreachable, unreachable);
}

}  // namespace automation::directory
