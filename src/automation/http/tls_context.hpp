#pragma once

// The server's TLS context: TLS 1.2 and 1.3 only, forward-secret AEAD cipher suites, the
// configured certificate chain and private key. Only server.cpp and tls_context.cpp include
// this (it pulls in asio's OpenSSL layer).

#include <asio/ssl.hpp>
#include <memory>

#include "automation/core/error.hpp"
#include "automation/http/tls_files.hpp"

namespace automation::http {

using TlsContext = asio::ssl::context;

Result<std::shared_ptr<TlsContext>> make_tls_context(const TlsFiles& files);

}  // namespace automation::http
