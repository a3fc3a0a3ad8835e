#pragma once

// The audit trail as an auditor takes it away: JSON lines or CSV, one event per line with
// its chain values (seq, previous_mac, mac), so each row can be checked on its own with
// the key: mac = HMAC-SHA-256(key, audit_chain_message(previous_mac, seq, event)).

#include <string>
#include <string_view>
#include <vector>

#include "automation/core/audit_log.hpp"

namespace automation::http {

// One JSON object per line (application/x-ndjson).
std::string audit_export_jsonl(const std::vector<ExportedAuditEvent>& events);

// RFC 4180 CSV with a header line; every field quoted. Spreadsheets evaluate a cell that
// starts with '=', '+', '-', '@', tab or CR as a formula even when it is quoted, so such a
// field (and, to keep the rule reversible, one that starts with an apostrophe) is written
// with an apostrophe in front (OWASP's advice for CSV injection): removing one leading
// apostrophe, where there is one, gives the text as stored, which the MAC covers. The JSON
// lines export is exact.
std::string audit_export_csv(const std::vector<ExportedAuditEvent>& events);

// `field` as one CSV cell: quoted, quotes doubled, and an apostrophe in front of a leading
// formula character or apostrophe (see audit_export_csv).
std::string csv_cell(std::string_view field);

}  // namespace automation::http
