#pragma once

// How many connections each client address holds, so that one client cannot take every
// connection slot (AUTOMATION_MAX_CONNECTIONS_PER_ADDRESS): a connection that would take its
// address past the limit is closed as soon as it is accepted. Trusted proxies are counted but
// never refused (every client behind them shares their address).
//
// Thread-safe: connections are admitted on the acceptor's strand and end on any I/O thread.

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace automation::http {

class ConnectionsPerAddress {
 public:
  enum class Admission {
    kAdmitted,
    kRefused,       // the address holds `limit` connections already
    kFirstRefused,  // the same, and the first refusal since the address had none open
  };

  // limit 0: no limit. `exempt`: canonical addresses never refused.
  void configure(std::size_t limit, std::vector<std::string> exempt);

  // Counts a new connection from `address` (canonical form), unless it is refused.
  Admission admit(const std::string& address);
  // An admitted connection from `address` has ended.
  void ended(const std::string& address) noexcept;
  // Connections `address` holds now.
  std::size_t held(const std::string& address) const;

 private:
  struct Open {
    std::size_t connections = 0;
    bool refusing = false;  // a refusal was reported; cleared when the address has none left
  };

  mutable std::mutex mutex_;
  std::size_t limit_ = 0;
  std::vector<std::string> exempt_;
  std::unordered_map<std::string, Open> open_;
};

}  // namespace automation::http
