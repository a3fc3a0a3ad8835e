#pragma once

// Whether the listening address keeps the server reachable from this machine only; plain HTTP
// anywhere else sends passwords and keys in clear text, which the CLI warns about.

#include <string_view>

namespace automation::http {

// True for "localhost", 127.0.0.0/8 and ::1 (also IPv4-mapped ::ffff:127.x.y.z). Anything
// else, including 0.0.0.0, :: and host names, may be reached from the network.
bool is_loopback_host(std::string_view host);

}  // namespace automation::http
