#pragma once

// A raw client TCP connection for tests that need what an HTTP client library hides: idle
// sockets, half-sent requests, resets, a chosen source address, answers left unread.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace automation::testing {

// A client TCP connection to the server, closed by the destructor.
class Connection {
 public:
  // Connects to 127.0.0.1:port, from `from` (another loopback address is another client). The
  // connect completes once the kernel queued the connection in the listen backlog, whether or
  // not the server accepted it yet.
  // A receive_buffer > 0 shrinks the socket's receive buffer (SO_RCVBUF) first, so that a
  // client that does not read stalls the server's write of a big answer.
  explicit Connection(int port, const char* from = "127.0.0.1", int receive_buffer = 0)
      : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    if (receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    }
    sockaddr_in source{};
    source.sin_family = AF_INET;
    ::inet_pton(AF_INET, from, &source.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&source), sizeof(source)) != 0) {
      ::close(fd_);
      throw std::runtime_error("bind() failed");
    }
    timeval connect_timeout{5, 0};  // bounds connect() if the backlog were full
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &connect_timeout, sizeof(connect_timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect() failed");
    }
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Makes the destructor send RST instead of FIN (SO_LINGER with a zero timeout).
  void reset_on_close() {
    linger abort_on_close{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof(abort_on_close));
  }

  void send_text(std::string_view text) {
    ASSERT_EQ(::send(fd_, text.data(), text.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(text.size()));
  }

  // Reads until the server closes the connection or `timeout` passes. Returns what arrived
  // and sets `closed` when the server closed (EOF or reset) in time.
  std::string read_until_closed(std::chrono::milliseconds timeout, bool& closed) {
    std::string received;
    closed = false;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return received;
      pollfd poll_fd{fd_, POLLIN, 0};
      if (::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) return received;
      char buffer[4096];
      const auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        closed = true;
        return received;
      }
      received.append(buffer, static_cast<std::size_t>(n));
    }
  }

  // Whatever the server sends within `timeout` ("" if nothing), without waiting for a close.
  std::string read_some(std::chrono::milliseconds timeout) {
    pollfd poll_fd{fd_, POLLIN, 0};
    if (::poll(&poll_fd, 1, static_cast<int>(timeout.count())) <= 0) return {};
    char buffer[4096];
    const auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
  }

 private:
  int fd_;
};

}  // namespace automation::testing
