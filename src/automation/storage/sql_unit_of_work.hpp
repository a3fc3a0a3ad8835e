#pragma once

#include "automation/core/ports.hpp"
#include "automation/storage/database.hpp"

namespace automation::storage {

// The core's UnitOfWork over one Database (Database::atomically).
class SqlUnitOfWork final : public UnitOfWork {
 public:
  explicit SqlUnitOfWork(Database& db) : db_(db) {}
  Status run(const std::function<Status()>& work) override { return db_.atomically(work); }

 private:
  Database& db_;
};

}  // namespace automation::storage
