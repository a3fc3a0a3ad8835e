#include "automation/storage/sql_audit_store.hpp"

#include <string>

#include "automation/storage/database.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/text.hpp"

namespace automation::storage {

Status SqlAuditStore::append_event(const AuditEvent& event) {
  const long long time = event.time;
  const std::string name = sanitize_text(event.event);
  const std::string actor = sanitize_text(event.actor);
  const std::string target = sanitize_text(event.target);
  const std::string address = sanitize_text(event.address);
  const std::string outcome = sanitize_text(event.outcome);
  const std::string reason = sanitize_text(event.reason);
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    sql << "INSERT INTO audit_events (time, event, actor, target, address, outcome, reason)"
           " VALUES (:time, :event, :actor, :target, :address, :outcome, :reason)",
        soci::use(time), soci::use(name), soci::use(actor), soci::use(target),
        soci::use(address), soci::use(outcome), soci::use(reason);
    return {};
  });
}

Result<std::vector<AuditEvent>> SqlAuditStore::recent_events(int limit) {
  if (limit <= 0) return std::vector<AuditEvent>();
  return db_.with_session([limit](soci::session& sql) -> Result<std::vector<AuditEvent>> {
    long long time = 0;
    AuditEvent row;
    soci::statement st =
        (sql.prepare << "SELECT time, event, actor, target, address, outcome, reason FROM audit_events"
                        " ORDER BY time DESC, id DESC LIMIT :limit",
         soci::into(time), soci::into(row.event), soci::into(row.actor), soci::into(row.target),
         soci::into(row.address), soci::into(row.outcome), soci::into(row.reason),
         soci::use(limit));
    std::vector<AuditEvent> events;
    if (st.execute(true)) {
      do {
        row.time = time;
        events.push_back(row);
      } while (st.fetch());
    }
    return events;
  });
}

}  // namespace automation::storage
