#pragma once

// The audit trail as an auditor takes it away: JSON lines or CSV, one event per line with
// its chain values (seq, previous_mac, mac), so each row can be checked on its own with
// the key: mac = HMAC-SHA-256(key, audit_chain_message(previous_mac, seq, event)).

#include <string>
#include <vector>

#include "automation/core/audit_log.hpp"

namespace automation::http {

// One JSON object per line (application/x-ndjson).
std::string audit_export_jsonl(const std::vector<ExportedAuditEvent>& events);

// RFC 4180 CSV with a header line; every field quoted. Text is exported exactly as stored
// (the MAC covers it), so a spreadsheet should import the columns as text: a field that
// starts with '=' is data here, never a formula.
std::string audit_export_csv(const std::vector<ExportedAuditEvent>& events);

}  // namespace automation::http
