#include "automation/storage/change_feed.hpp"

#include "automation/storage/database.hpp"
#include "automation/storage/row_query.hpp"
#include "automation/storage/soci_support.hpp"

namespace automation::storage {
namespace {

constexpr const char* kPosition = "SELECT seq FROM change_counter WHERE id = 1";

// kPosition, prepared once per connection: read before every batch of lookups.
struct PositionQuery final : PreparedQuery {
  explicit PositionQuery(soci::session& sql) : st((sql.prepare << kPosition, soci::into(seq))) {}
  long long seq = 0;
  soci::statement st;
};

}  // namespace

Result<std::int64_t> ChangeFeed::position() {
  return db_.with_session([this](soci::session& sql) -> Result<std::int64_t> {
    auto& query = db_.prepared<PositionQuery>(sql);
    query.seq = 0;
    if (!fetch_single(query.st, [] {})) return fail(ErrorCode::kInternal, "change counter missing");
    return static_cast<std::int64_t>(query.seq);
  });
}

Result<ChangeBatch> ChangeFeed::since(std::int64_t after) {
  const long long from = after;
  // A read transaction: the position and the rows come from one snapshot.
  return db_.transaction(TxMode::kRead, [from](soci::session& sql) -> Result<ChangeBatch> {
    ChangeBatch batch;
    long long position = 0;
    sql << kPosition, soci::into(position);
    batch.position = position;
    if (position <= from) return batch;
    long long seq = 0;
    std::string entity;
    std::string key;
    soci::statement st =
        (sql.prepare << "SELECT seq, entity, entity_key FROM change_log"
                        " WHERE seq > :after AND seq <= :position ORDER BY seq",
         soci::into(seq), soci::into(entity), soci::into(key), soci::use(from),
         soci::use(position));
    if (st.execute(true)) {
      do {
        batch.changes.push_back(Change{seq, entity, key});
      } while (st.fetch());
    }
    // Sequence numbers are dense, so anything missing was pruned.
    batch.gap = static_cast<long long>(batch.changes.size()) != position - from;
    return batch;
  });
}

Status ChangeFeed::prune(std::int64_t up_to) {
  const long long limit = up_to;
  // Housekeeping, never part of an atomic change that happens to be open on this thread.
  return db_.transaction(TxMode::kWriteAside, [limit](soci::session& sql) -> Status {
    sql << "DELETE FROM change_log WHERE seq <= :limit", soci::use(limit);
    return {};
  });
}

}  // namespace automation::storage
