#pragma once

// The HTTPS listener's certificate and private key (AUTOMATION_TLS_CERT_FILE/_KEY_FILE), and
// the check the CLI runs before the database is touched, so a bad file is a configuration
// error that changes nothing.

#include <string>

#include "automation/core/error.hpp"

namespace automation::http {

struct TlsFiles {
  std::string cert_file;  // PEM: the server certificate, then any intermediates
  std::string key_file;   // PEM private key, readable by this process and its owner only
};

// Loads both files as the server will (see tls_context.hpp) and discards the result. Errors
// are kInvalidArgument naming the setting: an unreadable file, a key other users (or, unless
// the key belongs to root, its group) may read, a file that is not PEM, or a key that does not
// belong to the certificate.
Status check_tls_files(const TlsFiles& files);

}  // namespace automation::http
