// The audit export's CSV cells: formula characters are neutralized (OWASP "CSV Injection"),
// reversibly; JSON lines carry the text exactly.

#include "automation/http/audit_export.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace automation::http {
namespace {

TEST(AuditExportCsv, FieldsThatStartAFormulaGetAnApostrophe) {
  EXPECT_EQ(csv_cell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(csv_cell("+1"), "\"'+1\"");
  EXPECT_EQ(csv_cell("-2+3"), "\"'-2+3\"");
  EXPECT_EQ(csv_cell("@SUM(A1)"), "\"'@SUM(A1)\"");
  EXPECT_EQ(csv_cell("\t=1"), "\"'\t=1\"");
  EXPECT_EQ(csv_cell("\r=1"), "\"'\r=1\"");
  EXPECT_EQ(csv_cell("'quoted"), "\"''quoted\"") << "so one leading apostrophe always undoes";
}

TEST(AuditExportCsv, OtherFieldsAreOnlyQuoted) {
  EXPECT_EQ(csv_cell(""), "\"\"");
  EXPECT_EQ(csv_cell("ana"), "\"ana\"");
  EXPECT_EQ(csv_cell("a=b"), "\"a=b\"") << "only the first character matters";
  EXPECT_EQ(csv_cell("12"), "\"12\"");
  EXPECT_EQ(csv_cell(" =1"), "\" =1\"");
}

TEST(AuditExport, CsvGuardsFormulasAndJsonLinesStayExact) {
  ExportedAuditEvent exported;
  exported.row.id = 7;
  exported.row.seq = 3;
  exported.row.mac = "ab";
  exported.row.event = AuditEvent{60, "login", "", "=cmd|' /C calc'!A0", "10.0.0.1", "failure",
                                  "-1 attempts"};
  exported.previous_mac = "cd";
  const std::string csv = audit_export_csv({exported});
  EXPECT_NE(csv.find(",\"'=cmd|' /C calc'!A0\","), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"'-1 attempts\","), std::string::npos) << csv;
  EXPECT_EQ(csv.find(",\"=cmd"), std::string::npos) << csv;

  const auto line = nlohmann::json::parse(audit_export_jsonl({exported}));
  EXPECT_EQ(line.at("target"), "=cmd|' /C calc'!A0");
  EXPECT_EQ(line.at("reason"), "-1 attempts");
}

}  // namespace
}  // namespace automation::http
