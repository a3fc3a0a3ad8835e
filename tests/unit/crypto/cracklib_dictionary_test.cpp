// The cracklib dictionary adapter on Debian's real dictionary (cracklib-runtime).

#include "automation/crypto/cracklib_dictionary.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace automation::crypto {
namespace {

TEST(CracklibDictionary, RefusesWordsAndTheUsernameAndPassesRandomPasswords) {
  auto dictionary = CracklibDictionary::open();
  ASSERT_TRUE(dictionary) << dictionary.error().message;
  EXPECT_TRUE((*dictionary)->weakness("password1", "ana").has_value());
  EXPECT_TRUE((*dictionary)->weakness("words1words1", "words1").has_value());
  EXPECT_FALSE((*dictionary)->weakness("Qz7-Lm4x-Vr9w", "ana").has_value());
}

TEST(CracklibDictionary, AMissingDictionaryIsRefusedAtOpen) {
  auto missing = CracklibDictionary::open("/nonexistent/cracklib_dict");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(missing.error().message.find("/nonexistent/cracklib_dict.pwd"), std::string::npos);
}

TEST(CracklibDictionary, ConcurrentChecksAgree) {
  auto dictionary = CracklibDictionary::open();
  ASSERT_TRUE(dictionary);
  std::vector<std::thread> threads;
  std::vector<int> weak(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if ((*dictionary)->weakness("sunshine2", "ana")) ++weak[t];
        if ((*dictionary)->weakness("Tk2_Wp8s_Hn5c", "ana")) weak[t] += 1000;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int count : weak) EXPECT_EQ(count, 50);
}

}  // namespace
}  // namespace automation::crypto
