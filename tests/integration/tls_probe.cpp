#include "tls_probe.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <memory>

namespace automation::testing {
namespace {

std::string openssl_error(const std::string& what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return what;
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return what + ": " + text;
}

}  // namespace

TlsProbe probe_tls(int port, int version, const std::string& tls12_ciphers) {
  TlsProbe probe;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_client_method()),
                                                            &SSL_CTX_free);
  if (!context) {
    probe.error = openssl_error("SSL_CTX_new");
    return probe;
  }
  // Level 0 lets this client offer what a careless client would (TLS 1.1, RSA key exchange).
  SSL_CTX_set_security_level(context.get(), 0);
  SSL_CTX_set_min_proto_version(context.get(), version);
  SSL_CTX_set_max_proto_version(context.get(), version);
  const std::string ciphers = tls12_ciphers.empty() ? "ALL:@SECLEVEL=0" : tls12_ciphers;
  if (SSL_CTX_set_cipher_list(context.get(), ciphers.c_str()) != 1) {
    probe.error = openssl_error("cipher list " + ciphers);
    return probe;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    probe.error = "socket() failed";
    return probe;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } const closer{fd};
  timeval timeout{5, 0};  // a server that never answers fails the probe, not the suite
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    probe.error = "connect() failed";
    return probe;
  }
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(context.get()), &SSL_free);
  SSL_set_fd(ssl.get(), fd);
  if (SSL_connect(ssl.get()) != 1) {
    probe.error = openssl_error("handshake refused");
    return probe;
  }
  probe.established = true;
  probe.protocol = SSL_get_version(ssl.get());
  probe.cipher = SSL_get_cipher_name(ssl.get());
  SSL_shutdown(ssl.get());
  return probe;
}

}  // namespace automation::testing
