#include "automation/http/tls_context.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "automation/crypto/secret_wipe.hpp"

namespace automation::http {
namespace {

constexpr std::string_view kCertSetting = "AUTOMATION_TLS_CERT_FILE";
constexpr std::string_view kKeySetting = "AUTOMATION_TLS_KEY_FILE";

// TLS 1.2 suites with forward secrecy (ECDHE) and authenticated encryption (GCM or
// ChaCha20-Poly1305), for ECDSA and RSA certificates: Mozilla's "intermediate" list without
// the finite-field DHE suites. TLS 1.3's own suites are all of that kind; OpenSSL's default
// set of them is kept.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::unexpected<Error> bad(std::string_view setting, const std::string& path,
                           const std::string& why) {
  return fail(ErrorCode::kInvalidArgument, std::string(setting) + ": " + path + ": " + why);
}

std::string mode_text(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Reads the private key, refusing one that other accounts can read. The rule is PostgreSQL's
// for ssl_key_file: nobody but the owner may access it, except that a key owned by root may be
// readable by its group (Debian's /etc/ssl/private layout, group ssl-cert).
// The permissions are checked on the open descriptor, so they are those of the bytes read.
Result<std::string> read_private_key(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return bad(kKeySetting, path, std::string("cannot be read: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } const closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    return bad(kKeySetting, path, std::string("cannot be read: ") + std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) return bad(kKeySetting, path, "is not a regular file");
  if ((info.st_mode & S_IRWXO) != 0) {
    return bad(kKeySetting, path,
               "is readable by other users (mode " + mode_text(info.st_mode) +
                   "); make it private: chmod 600");
  }
  const bool root_group_read = info.st_uid == 0 && (info.st_mode & S_IRWXG) == S_IRGRP;
  if ((info.st_mode & S_IRWXG) != 0 && !root_group_read) {
    return bad(kKeySetting, path,
               "is readable by its group (mode " + mode_text(info.st_mode) +
                   "); make it private: chmod 600 (only a key owned by root may be 0640)");
  }
  std::string pem;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      crypto::wipe_secret(pem);
      return bad(kKeySetting, path, std::string("cannot be read: ") + std::strerror(errno));
    }
    if (got == 0) break;
    pem.append(buffer, static_cast<std::size_t>(got));
  }
  ::explicit_bzero(buffer, sizeof buffer);
  return pem;
}

// asio reports OpenSSL failures as system_error; the reason string is enough for an operator
// ("no start line", "key values mismatch").
std::string reason(const std::exception& e) {
  ERR_clear_error();
  return e.what();
}

}  // namespace

Result<std::shared_ptr<TlsContext>> make_tls_context(const TlsFiles& files) {
  auto key = read_private_key(files.key_file);
  if (!key) return fail(key.error());
  struct WipeKey {
    std::string& pem;
    ~WipeKey() { crypto::wipe_secret(pem); }
  } const wipe_key{*key};

  auto context = std::make_shared<TlsContext>(TlsContext::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(native, TLS1_3_VERSION);
  // No TLS compression (CRIME), no renegotiation (a client-driven CPU cost), and the server's
  // order of suites, so a client cannot pick the weakest it shares.
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_SINGLE_ECDH_USE);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    ERR_clear_error();
    return fail(ErrorCode::kInternal, "OpenSSL accepts none of the TLS 1.2 cipher suites");
  }
  try {
    context->use_certificate_chain_file(files.cert_file);
  } catch (const std::exception& e) {
    return bad(kCertSetting, files.cert_file,
               "is not a usable PEM certificate (" + reason(e) + ")");
  }
  try {
    context->use_private_key(asio::buffer(*key), TlsContext::pem);
  } catch (const asio::system_error& e) {
    // OpenSSL compares the key with the certificate as it loads it.
    if (e.code().category() == asio::error::get_ssl_category() &&
        ERR_GET_REASON(static_cast<unsigned long>(e.code().value())) ==
            X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      return bad(kKeySetting, files.key_file,
                 "does not belong to the certificate in " + files.cert_file);
    }
    return bad(kKeySetting, files.key_file, "is not a usable PEM private key (" + reason(e) + ")");
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return bad(kKeySetting, files.key_file,
               "does not belong to the certificate in " + files.cert_file);
  }
  return context;
}

Status check_tls_files(const TlsFiles& files) {
  auto context = make_tls_context(files);
  if (!context) return fail(context.error());
  return {};
}

}  // namespace automation::http
