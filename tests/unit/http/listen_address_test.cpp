#include "automation/http/listen_address.hpp"

#include <gtest/gtest.h>

namespace automation::http {
namespace {

TEST(ListenAddress, LoopbackAddressesStayOnThisMachine) {
  for (const char* host :
       {"127.0.0.1", "127.8.9.10", "localhost", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
}

TEST(ListenAddress, EverythingElseMayBeReachedFromTheNetwork) {
  for (const char* host :
       {"0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "128.0.0.1", "::2", "::ffff:10.0.0.1",
        "plant-hmi.local", "localhost.example", "", "127.0.0.1 "}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

}  // namespace
}  // namespace automation::http
