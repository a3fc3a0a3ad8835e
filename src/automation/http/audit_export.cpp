#include "automation/http/audit_export.hpp"

#include <nlohmann/json.hpp>

#include "automation/core/time_format.hpp"
#include "automation/http/json_views.hpp"

namespace automation::http {

namespace {

// What a spreadsheet takes for the start of a formula (OWASP "CSV Injection"), and the
// apostrophe that neutralizes one (escaped itself, so the rule can be undone exactly).
bool needs_formula_guard(std::string_view field) {
  if (field.empty()) return false;
  switch (field.front()) {
    case '=': case '+': case '-': case '@': case '\t': case '\r': case '\'':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string csv_cell(std::string_view field) {
  std::string out;
  out.reserve(field.size() + 3);
  out += '"';
  if (needs_formula_guard(field)) out += '\'';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string audit_export_jsonl(const std::vector<ExportedAuditEvent>& events) {
  std::string out;
  for (const ExportedAuditEvent& exported : events) {
    nlohmann::json line = audit_event_json(exported.row.event);
    line["id"] = exported.row.id;
    line["seq"] = exported.row.seq.value_or(0);
    line["previous_mac"] = exported.previous_mac;
    line["mac"] = exported.row.mac;
    out += line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '\n';
  }
  return out;
}

std::string audit_export_csv(const std::vector<ExportedAuditEvent>& events) {
  std::string out =
      "\"id\",\"seq\",\"time\",\"timestamp\",\"event\",\"actor\",\"target\",\"address\","
      "\"outcome\",\"reason\",\"previous_mac\",\"mac\"\r\n";
  for (const ExportedAuditEvent& exported : events) {
    const AuditEvent& event = exported.row.event;
    const std::string fields[] = {std::to_string(exported.row.id),
                                  std::to_string(exported.row.seq.value_or(0)),
                                  format_utc(event.time),
                                  std::to_string(event.time),
                                  event.event,
                                  event.actor,
                                  event.target,
                                  event.address,
                                  event.outcome,
                                  event.reason,
                                  exported.previous_mac,
                                  exported.row.mac};
    bool first = true;
    for (const std::string& field : fields) {
      if (!first) out += ',';
      first = false;
      out += csv_cell(field);
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace automation::http
