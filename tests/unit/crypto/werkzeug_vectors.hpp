#pragma once

// Loads tests/testdata/werkzeug_hashes.json for the parameterized werkzeug suites.

#include <gtest/gtest.h>

#include <cctype>
#include <cstddef>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace automation::crypto::testing_support {

struct WerkzeugVector {
  std::size_t index = 0;
  std::string password;
  std::string hash;
  std::string method;
  bool expect = false;
  std::string note;
};

inline std::string werkzeug_vectors_path() {
  return std::string(AUTOMATION_TESTDATA_DIR) + "/werkzeug_hashes.json";
}

// Empty when the file is missing or malformed; the count test then fails loudly.
inline std::vector<WerkzeugVector> load_werkzeug_vectors() {
  std::ifstream in(werkzeug_vectors_path());
  if (!in) return {};
  const auto json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!json.is_array()) return {};
  std::vector<WerkzeugVector> vectors;
  for (const auto& entry : json) {
    WerkzeugVector v;
    v.index = vectors.size();
    v.password = entry.at("password").get<std::string>();
    v.hash = entry.at("hash").get<std::string>();
    v.method = entry.at("method").get<std::string>();
    v.expect = entry.at("expect").get<bool>();
    v.note = entry.at("note").get<std::string>();
    vectors.push_back(std::move(v));
  }
  return vectors;
}

// "v07_pbkdf2_sha256_1000_match": index keeps names unique, the rest says what it is.
inline std::string werkzeug_vector_name(const ::testing::TestParamInfo<WerkzeugVector>& info) {
  const auto& v = info.param;
  std::string name = (v.index < 10 ? "v0" : "v") + std::to_string(v.index) + "_";
  for (const char c : v.method) {
    name += std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
  }
  name += v.expect ? "_match" : "_nomatch";
  return name;
}

inline void PrintTo(const WerkzeugVector& v, std::ostream* os) {
  *os << "#" << v.index << " " << v.method << " expect=" << v.expect << " (" << v.note << ")";
}

}  // namespace automation::crypto::testing_support
