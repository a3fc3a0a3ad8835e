#pragma once

// A security change and its audit event stand or fall together (IEC 62443-4-2 CR 2.10,
// 21 CFR 11.10(e)): no unaudited security change.

#include <optional>
#include <type_traits>
#include <utility>

#include "automation/core/audit_log.hpp"
#include "automation/core/ports.hpp"

namespace automation {

// What a client is told when a change succeeded but its audit event could not be written:
// the change was undone, so trying again later is safe.
Error audit_unwritten();

class AuditedChanges {
 public:
  AuditedChanges(UnitOfWork& units, AuditLog& audit) : units_(units), audit_(audit) {}

  // Runs change() (returning Status or Result<T>) and, when it succeeds, records
  // describe(result) in the same unit of work: if that event cannot be written, the change is
  // undone and the answer is audit_unwritten(). A change that fails or is refused changed
  // nothing; its event is recorded afterwards, best effort (a failing audit store is counted
  // in AuditLog::failed_writes). describe sees the change's own result, so an event can name
  // what the change created.
  template <typename Change, typename Describe>
  auto run(Change&& change, Describe&& describe) -> std::invoke_result_t<Change&> {
    using R = std::invoke_result_t<Change&>;
    std::optional<R> result;
    bool audit_failed = false;
    const Status committed = units_.run([&]() -> Status {
      result.emplace(change());
      if (!*result) return std::unexpected((*result).error());  // undo what it wrote
      if (auto written = audit_.record(describe(std::as_const(*result))); !written) {
        audit_failed = true;
        return std::unexpected(audit_unwritten());
      }
      return {};
    });
    if (!result) return R(std::unexpect, committed.error());  // the unit never ran it
    if (*result && committed) return std::move(*result);
    if (audit_failed) return R(std::unexpect, audit_unwritten());
    if (*result) result.emplace(std::unexpect, committed.error());  // the commit failed
    (void)audit_.record(describe(std::as_const(*result)));
    return std::move(*result);
  }

 private:
  UnitOfWork& units_;
  AuditLog& audit_;
};

}  // namespace automation
