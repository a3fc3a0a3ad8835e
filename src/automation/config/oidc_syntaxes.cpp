#include "automation/config/oidc_syntaxes.hpp"

#include <algorithm>

namespace automation::config {

namespace syntax_detail {

Status check_issuer_url(std::string_view text) {
  if (text.empty()) return {};  // derived from the listener
  const auto why = [](std::string_view reason) {
    return fail(ErrorCode::kInvalidArgument,
                "must be the URL clients reach the provider at (e.g. https://idp.plant.local): " +
                    std::string(reason));
  };
  std::string_view rest;
  if (text.starts_with("https://")) {
    rest = text.substr(8);
  } else if (text.starts_with("http://")) {
    rest = text.substr(7);
  } else {
    return why("it starts with https:// (or http://)");
  }
  // Printable ASCII only: the issuer is compared byte for byte by every client (OIDC
  // Discovery §4.3), and goes into headers and tokens as it is.
  const bool printable = std::all_of(text.begin(), text.end(), [](char c) {
    return c > 0x20 && c < 0x7F;
  });
  if (!printable) return why("no spaces, control or non-ASCII characters");
  if (text.find_first_of("?#") != std::string_view::npos) return why("no query or fragment");
  if (text.back() == '/') return why("no trailing slash");
  const auto host_end = rest.find('/');
  const std::string_view authority = rest.substr(0, host_end);
  if (authority.empty() || authority.front() == ':' ||
      authority.find('@') != std::string_view::npos) {
    return why("a host, without user information");
  }
  return {};
}

}  // namespace syntax_detail

std::string derived_oidc_issuer(const ServerConfig& server) {
  std::string host = server.host;
  if (host == "0.0.0.0") {
    host = "127.0.0.1";
  } else if (host == "::" || host == "[::]") {
    host = "[::1]";
  } else if (host.find(':') != std::string::npos && !host.starts_with("[")) {
    host = "[" + host + "]";
  }
  const bool tls = !server.tls_cert_file.empty();
  return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(server.port);
}

}  // namespace automation::config
