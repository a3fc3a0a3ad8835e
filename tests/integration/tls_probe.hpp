#pragma once

// A TLS handshake with the test server, offering exactly one protocol version (and, for
// TLS 1.2, only the given cipher suites), made with OpenSSL directly: curl and the system's
// OpenSSL configuration would refuse old versions on the client side, and a test of the
// server's refusal must not be answered by the client.

#include <string>

namespace automation::testing {

struct TlsProbe {
  bool established = false;
  std::string protocol;  // "TLSv1.2" etc. when established
  std::string cipher;    // the suite agreed on
  std::string error;     // why not, when not established
};

// `version`: TLS1_1_VERSION, TLS1_2_VERSION or TLS1_3_VERSION. `tls12_ciphers`: an OpenSSL
// cipher list for TLS <= 1.2 ("" = everything OpenSSL has, weak suites included).
// The certificate is not verified: only what the server agrees to is under test.
TlsProbe probe_tls(int port, int version, const std::string& tls12_ciphers = "");

}  // namespace automation::testing
