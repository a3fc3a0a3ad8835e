#include "automation/http/client_address.hpp"

#include <gtest/gtest.h>

namespace automation::http {
namespace {

const std::vector<std::string> kProxies = {"10.0.0.5", "10.0.0.6", "::1"};

TEST(ClientAddress, UntrustedPeersAreTheClientWhateverTheySay) {
  EXPECT_EQ(client_address("192.0.2.7", "203.0.113.9", kProxies), "192.0.2.7");
  EXPECT_EQ(client_address("192.0.2.7", "", {}), "192.0.2.7");
  EXPECT_EQ(client_address("10.0.0.5", "203.0.113.9", {}), "10.0.0.5");  // nobody trusted
}

TEST(ClientAddress, TrustedProxiesNameTheClientRightToLeft) {
  EXPECT_EQ(client_address("10.0.0.5", "203.0.113.9", kProxies), "203.0.113.9");
  // A client cannot inject an address: only the right-most untrusted entry counts.
  EXPECT_EQ(client_address("10.0.0.5", "1.2.3.4, 203.0.113.9", kProxies), "203.0.113.9");
  // Through two proxies.
  EXPECT_EQ(client_address("10.0.0.5", "1.2.3.4, 203.0.113.9, 10.0.0.6", kProxies),
            "203.0.113.9");
  // IPv6, in canonical form whatever the spelling.
  EXPECT_EQ(client_address("::1", "2001:DB8:0:0::1", kProxies), "2001:db8::1");
  // Only proxies: the one furthest out.
  EXPECT_EQ(client_address("10.0.0.5", "10.0.0.6", kProxies), "10.0.0.6");
}

TEST(ClientAddress, MalformedEntriesStopAtTheLastTrustedHop) {
  EXPECT_EQ(client_address("10.0.0.5", "203.0.113.9, not-an-ip", kProxies), "10.0.0.5");
  EXPECT_EQ(client_address("10.0.0.5", "garbage, 10.0.0.6", kProxies), "10.0.0.6");
  EXPECT_EQ(client_address("10.0.0.5", " , ", kProxies), "10.0.0.5");
  EXPECT_EQ(client_address("10.0.0.5", std::string(500, '9'), kProxies), "10.0.0.5");
}

}  // namespace
}  // namespace automation::http
