#pragma once

// How the service talks to the directory (the AUTOMATION_LDAP_* settings; see
// docs/directory-login.md). Plain values: the config layer fills them in, the libldap adapter
// (ldap_directory.hpp) reads them.

#include <string>
#include <vector>

namespace automation::directory {

struct LdapOptions {
  std::vector<std::string> urls;      // ldaps:// or ldap:// URLs, tried in order; empty = off
  int timeout_seconds = 5;            // connect, and each operation
  bool start_tls = false;             // ldap:// URLs: StartTLS before anything is sent
  std::string ca_file;                // CAs to check the server's certificate with ("" = system's)
  bool insecure_skip_verify = false;  // the certificate is not checked (tests, never plants)
  std::string bind_dn;                // the service account ("" = anonymous search)
  std::string bind_password_file;
  std::string bind_password;  // read from bind_password_file at start
  std::string user_base;
  std::string user_filter = "(uid={username})";
  std::string username_attribute = "uid";
  std::string email_attribute = "mail";
  std::string name_attribute = "givenName";
  std::string lastname_attribute = "sn";
  std::string group_attribute = "memberOf";  // groups listed on the user's entry
  // When set, groups are found by this search instead ({dn}: the user's DN, escaped) under
  // group_base ("" = user_base).
  std::string group_filter;
  std::string group_base;
};

}  // namespace automation::directory
