#pragma once

#include <cstddef>
#include <cstdint>

namespace automation {

// The core's part of the configuration (SPEC §5), filled in by the app from the config loader.
struct CoreSettings {
  std::int64_t session_ttl_seconds = 86400;  // 0 = sessions never expire
  bool allow_signup = true;
  std::size_t password_min_length = 8;
  int login_max_failures = 5;       // per (account, client address), within the window
  int account_max_failures = 100;   // per account across all addresses, within the window
  int address_max_failures = 50;    // per client address, within the window
  std::int64_t login_window_seconds = 900;
};

}  // namespace automation
