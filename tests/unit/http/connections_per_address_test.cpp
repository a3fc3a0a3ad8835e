#include "automation/http/connections_per_address.hpp"

#include <gtest/gtest.h>

namespace automation::http {
namespace {

using Admission = ConnectionsPerAddress::Admission;

TEST(ConnectionsPerAddress, RefusesPastTheLimitPerAddressAndReportsOncePerEpisode) {
  ConnectionsPerAddress connections;
  connections.configure(2, {});
  EXPECT_EQ(connections.admit("10.0.0.1"), Admission::kAdmitted);
  EXPECT_EQ(connections.admit("10.0.0.1"), Admission::kAdmitted);
  EXPECT_EQ(connections.admit("10.0.0.1"), Admission::kFirstRefused);
  EXPECT_EQ(connections.admit("10.0.0.1"), Admission::kRefused);
  EXPECT_EQ(connections.admit("10.0.0.2"), Admission::kAdmitted) << "another address";
  EXPECT_EQ(connections.held("10.0.0.1"), 2u);

  connections.ended("10.0.0.1");
  EXPECT_EQ(connections.admit("10.0.0.1"), Admission::kAdmitted) << "a slot came back";
  EXPECT_EQ(connections.admit("10.0.0.1"), Admission::kRefused) << "same episode: said once";

  connections.ended("10.0.0.1");
  connections.ended("10.0.0.1");
  EXPECT_EQ(connections.held("10.0.0.1"), 0u);
  EXPECT_EQ(connections.admit("10.0.0.1"), Admission::kAdmitted);
  EXPECT_EQ(connections.admit("10.0.0.1"), Admission::kAdmitted);
  EXPECT_EQ(connections.admit("10.0.0.1"), Admission::kFirstRefused) << "a new episode";
}

TEST(ConnectionsPerAddress, ExemptAddressesAndNoLimitAreNeverRefused) {
  ConnectionsPerAddress connections;
  connections.configure(1, {"10.0.0.9"});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(connections.admit("10.0.0.9"), Admission::kAdmitted);
  EXPECT_EQ(connections.held("10.0.0.9"), 5u);
  connections.configure(0, {});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(connections.admit("10.0.0.1"), Admission::kAdmitted);
}

TEST(ConnectionsPerAddress, AnEndWithoutAnAdmissionChangesNothing) {
  ConnectionsPerAddress connections;
  connections.configure(1, {});
  connections.ended("10.0.0.1");
  EXPECT_EQ(connections.admit("10.0.0.1"), Admission::kAdmitted);
  EXPECT_EQ(connections.admit("10.0.0.1"), Admission::kFirstRefused);
}

}  // namespace
}  // namespace automation::http
