#pragma once

// DirectoryPort over OpenLDAP's client library (Debian libldap-dev), for OpenLDAP and Active
// Directory. Knows nothing of HTTP; every call blocks for at most about the configured
// timeout per server tried, so the server runs it on the password workers only.

#include "automation/core/directory.hpp"
#include "automation/directory/ldap_options.hpp"

namespace automation::directory {

class LdapDirectory final : public DirectoryPort {
 public:
  explicit LdapDirectory(LdapOptions options) : options_(std::move(options)) {}

  // Per URL, in order, until one answers: connect (TLS: ldaps:// or StartTLS, the certificate
  // always checked unless insecure_skip_verify), service bind, search the user (exactly one
  // entry), AD account flags, groups, then a bind as the user. Only a server that cannot be
  // reached sends it to the next URL; an answer (even a refusal) is final.
  DirectoryAnswer authenticate(std::string_view username, std::string_view password,
                               std::vector<DirectoryStep>* steps = nullptr) override;
  DirectoryAnswer look_up(std::string_view username) override;

 private:
  DirectoryAnswer converse(std::string_view username, const std::string* password,
                           std::vector<DirectoryStep>* steps);

  LdapOptions options_;
};

}  // namespace automation::directory
