#include "automation/core/web_origin.hpp"

#include <gtest/gtest.h>

namespace automation {
namespace {

TEST(WebOrigin, ParsesAndNormalizesOrigins) {
  auto origin = parse_origin("HTTPS://Plant.Local:443/");
  ASSERT_TRUE(origin);
  EXPECT_EQ(origin->serialize(), "https://plant.local");
  EXPECT_EQ(parse_origin("http://127.0.0.1:8080")->serialize(), "http://127.0.0.1:8080");
  EXPECT_EQ(parse_origin("http://[::1]:3000")->authority(), "[::1]:3000");
  EXPECT_EQ(parse_origin("http://hmi:80")->port, 0);
}

TEST(WebOrigin, RefusesWhatIsNoOrigin) {
  for (const char* text : {"null", "", "plant.local", "ftp://plant.local", "https://",
                           "https://plant.local/path", "https://a@plant.local",
                           "https://plant.local?x", "https://plant.local:0",
                           "https://plant.local:65536", "https://plant local",
                           "https://plant.local\\", "https://-plant", "https://[zz]",
                           "javascript://x"}) {
    EXPECT_FALSE(parse_origin(text)) << text;
  }
}

TEST(WebOrigin, TheOriginOfAUrl) {
  EXPECT_EQ(origin_of_url("https://plant.local:8443/a/b?c#d")->serialize(),
            "https://plant.local:8443");
  EXPECT_EQ(origin_of_url("http://hmi/")->serialize(), "http://hmi");
  for (const char* url : {"https://own@evil/", "https:evil", "//evil", "/local",
                          "https://evil\\@own/", "https://ev il/", "https://evil\t/",
                          "https://\xc3\xa9vil/"}) {
    EXPECT_FALSE(origin_of_url(url)) << url;
  }
}

TEST(WebOrigin, HostsAndAuthorities) {
  auto pattern = parse_host("Grafana.Plant");
  ASSERT_TRUE(pattern);
  EXPECT_EQ(pattern->host, "grafana.plant");
  EXPECT_EQ(pattern->port, 0);
  EXPECT_EQ(parse_host("hmi:3000")->port, 3000);
  EXPECT_FALSE(parse_host("https://hmi"));
  EXPECT_FALSE(parse_host("hmi/x"));

  const auto https = *parse_origin("https://plant.local");
  EXPECT_TRUE(same_authority(https, "plant.local"));
  EXPECT_TRUE(same_authority(https, "PLANT.local:443"));
  EXPECT_FALSE(same_authority(https, "plant.local:8443"));
  EXPECT_FALSE(same_authority(https, "evil.local"));
  EXPECT_FALSE(same_authority(https, "plant.local@evil"));

  EXPECT_TRUE(host_matches(*parse_host("plant.local"), *parse_origin("http://plant.local:81")));
  EXPECT_TRUE(host_matches(*parse_host("plant.local:443"), https));
  EXPECT_FALSE(host_matches(*parse_host("plant.local:8443"), https));
  EXPECT_FALSE(host_matches(*parse_host("plant.local"), *parse_origin("https://evil.plant.local")));
}

}  // namespace
}  // namespace automation
