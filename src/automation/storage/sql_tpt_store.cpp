#include "automation/storage/sql_tpt_store.hpp"

#include <string>

#include "automation/storage/database.hpp"
#include "automation/storage/row_query.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/store_errors.hpp"
#include "automation/storage/text.hpp"

namespace automation::storage {

namespace {

constexpr const char* kSelectTpt =
    "SELECT jti, role, created_on, expires_on, expires_at, description, created_by, revoked"
    " FROM tpts";

// Receiving buffers for one row of kSelectTpt.
struct TptRow {
  std::string jti, role, created_on, expires_on, description, created_by;
  long long expires_at = 0;
  int revoked = 0;
  soci::indicator expires_on_ind = soci::i_null, expires_at_ind = soci::i_null;

  void bind(soci::statement& st) {
    st.exchange(soci::into(jti));
    st.exchange(soci::into(role));
    st.exchange(soci::into(created_on));
    st.exchange(soci::into(expires_on, expires_on_ind));
    st.exchange(soci::into(expires_at, expires_at_ind));
    st.exchange(soci::into(description));
    st.exchange(soci::into(created_by));
    st.exchange(soci::into(revoked));
  }
  TptRecord to_record() const {
    TptRecord record;
    record.jti = jti;
    record.role = role;
    record.created_on = created_on;
    if (expires_on_ind == soci::i_ok) record.expires_on = expires_on;
    if (expires_at_ind == soci::i_ok) record.expires_at = expires_at;
    record.description = description;
    record.created_by = created_by;
    record.revoked = revoked != 0;
    return record;
  }
};

template <typename... Params>
std::vector<TptRecord> query_tpts(soci::session& sql, const std::string& query,
                                  const Params&... params) {
  return query_rows<TptRow>(sql, query, [](TptRow& row) { return row.to_record(); }, params...);
}

}  // namespace

Status SqlTptStore::add_tpt(const TptRecord& record) {
  const std::pair<const char*, const std::string*> texts[] = {
      {"jti", &record.jti},
      {"role", &record.role},
      {"created_on", &record.created_on},
      {"description", &record.description},
      {"created_by", &record.created_by}};
  for (const auto& [field, value] : texts) {
    if (auto ok = check_storable(field, *value); !ok) return ok;
  }
  if (record.expires_on) {
    if (auto ok = check_storable("expires_on", *record.expires_on); !ok) return ok;
  }
  auto added = db_.transaction(TxMode::kWrite, [&record](soci::session& sql) -> Status {
    const std::string expires_on = record.expires_on.value_or("");
    soci::indicator expires_on_ind = record.expires_on ? soci::i_ok : soci::i_null;
    const long long expires_at = record.expires_at.value_or(0);
    soci::indicator expires_at_ind = record.expires_at ? soci::i_ok : soci::i_null;
    const int revoked = record.revoked ? 1 : 0;
    sql << "INSERT INTO tpts (jti, role, created_on, expires_on, expires_at, description,"
           " created_by, revoked) VALUES (:jti, :role, :created_on, :expires_on, :expires_at,"
           " :description, :created_by, :revoked)",
        soci::use(record.jti), soci::use(record.role), soci::use(record.created_on),
        soci::use(expires_on, expires_on_ind), soci::use(expires_at, expires_at_ind),
        soci::use(record.description), soci::use(record.created_by), soci::use(revoked);
    return {};
  });
  if (!added && is_unattributed_duplicate(added.error())) {
    return fail(already_exists("jti", "Token id already exists"));
  }
  return added;
}

Result<std::vector<TptRecord>> SqlTptStore::list_tpts() {
  return db_.with_session([](soci::session& sql) -> Result<std::vector<TptRecord>> {
    return query_tpts(sql, std::string(kSelectTpt) + " ORDER BY created_on, jti");
  });
}

Result<std::optional<TptRecord>> SqlTptStore::find_tpt(std::string_view jti) {
  if (!is_storable_text(jti)) return std::optional<TptRecord>();
  const std::string wanted(jti);
  return db_.with_session([&wanted](soci::session& sql) -> Result<std::optional<TptRecord>> {
    auto records = query_tpts(sql, std::string(kSelectTpt) + " WHERE jti = :jti", wanted);
    if (records.empty()) return std::optional<TptRecord>();
    return std::optional<TptRecord>(std::move(records.front()));
  });
}

Status SqlTptStore::revoke_tpt(std::string_view jti) {
  if (!is_storable_text(jti)) return fail(ErrorCode::kNotFound, "Token not found");
  const std::string wanted(jti);
  return db_.transaction(TxMode::kWrite, [&wanted](soci::session& sql) -> Status {
    soci::statement update =
        (sql.prepare << "UPDATE tpts SET revoked = 1 WHERE jti = :jti", soci::use(wanted));
    update.execute(true);
    if (update.get_affected_rows() == 0) return fail(ErrorCode::kNotFound, "Token not found");
    return {};
  });
}

}  // namespace automation::storage
