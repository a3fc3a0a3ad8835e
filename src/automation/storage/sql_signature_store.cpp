#include "automation/storage/sql_signature_store.hpp"

#include <string>

#include "automation/storage/database.hpp"
#include "automation/storage/row_query.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/store_errors.hpp"
#include "automation/storage/text.hpp"

namespace automation::storage {

namespace {

constexpr const char* kSelectSignature =
    "SELECT id, signature_id, signer_id, username, printed_name, role, meaning, signed_at,"
    " record_type, record_id, record_digest, comment, verifies, authentication, key_id, value"
    " FROM signatures";

// Receiving buffers for one row of kSelectSignature.
struct SignatureRow {
  long long position = 0, signed_at = 0;
  std::string id, signer_id, username, printed_name, role, meaning, record_type, record_id,
      record_digest, comment, verifies, authentication, key_id, value;
  soci::indicator verifies_ind = soci::i_null;

  void bind(soci::statement& st) {
    st.exchange(soci::into(position));
    st.exchange(soci::into(id));
    st.exchange(soci::into(signer_id));
    st.exchange(soci::into(username));
    st.exchange(soci::into(printed_name));
    st.exchange(soci::into(role));
    st.exchange(soci::into(meaning));
    st.exchange(soci::into(signed_at));
    st.exchange(soci::into(record_type));
    st.exchange(soci::into(record_id));
    st.exchange(soci::into(record_digest));
    st.exchange(soci::into(comment));
    st.exchange(soci::into(verifies, verifies_ind));
    st.exchange(soci::into(authentication));
    st.exchange(soci::into(key_id));
    st.exchange(soci::into(value));
  }
  Signature to_signature() const {
    Signature s;
    s.id = id;
    s.signer_id = signer_id;
    s.username = username;
    s.printed_name = printed_name;
    s.role = role;
    s.meaning = meaning;
    s.signed_at = signed_at;
    s.record = SignedRecord{record_type, record_id, record_digest};
    s.comment = comment;
    if (verifies_ind == soci::i_ok) s.verifies = verifies;
    s.authentication = authentication;
    s.key_id = key_id;
    s.value = value;
    return s;
  }
};

template <typename... Params>
std::vector<Signature> query_signatures(soci::session& sql, const std::string& query,
                                        const Params&... params) {
  return query_rows<SignatureRow>(
      sql, query, [](SignatureRow& row) { return row.to_signature(); }, params...);
}

Result<std::optional<Signature>> single(Result<std::vector<Signature>> found) {
  if (!found) return fail(found.error());
  if (found->empty()) return std::optional<Signature>();
  return std::optional<Signature>(std::move(found->front()));
}

struct KeyRow {
  std::string key_id, algorithm, public_key;
  long long first_used_at = 0;

  void bind(soci::statement& st) {
    st.exchange(soci::into(key_id));
    st.exchange(soci::into(algorithm));
    st.exchange(soci::into(public_key));
    st.exchange(soci::into(first_used_at));
  }
};

// Check-then-insert in one write transaction; a racing writer that got there first surfaces as
// a unique violation, which means the row is there: the result asked for.
Status ignore_duplicate(Status inserted) {
  if (!inserted && inserted.error().code == ErrorCode::kAlreadyExists) return {};
  return inserted;
}

}  // namespace

Status SqlSignatureStore::add_signature(const Signature& s) {
  const std::pair<const char*, const std::string*> texts[] = {
      {"id", &s.id},
      {"signer_id", &s.signer_id},
      {"username", &s.username},
      {"printed_name", &s.printed_name},
      {"role", &s.role},
      {"meaning", &s.meaning},
      {"record_type", &s.record.type},
      {"record_id", &s.record.id},
      {"record_digest", &s.record.digest},
      {"comment", &s.comment},
      {"verifies", &s.verifies},
      {"authentication", &s.authentication},
      {"key_id", &s.key_id},
      {"value", &s.value}};
  for (const auto& [field, value] : texts) {
    if (auto ok = check_storable(field, *value); !ok) return ok;
  }
  auto added = db_.transaction(TxMode::kWrite, [&s](soci::session& sql) -> Status {
    const long long signed_at = s.signed_at;
    soci::indicator verifies_ind = s.verifies.empty() ? soci::i_null : soci::i_ok;
    sql << "INSERT INTO signatures (signature_id, signer_id, username, printed_name, role,"
           " meaning, signed_at, record_type, record_id, record_digest, comment, verifies,"
           " authentication, key_id, value) VALUES (:id, :signer_id, :username, :printed_name,"
           " :role, :meaning, :signed_at, :record_type, :record_id, :record_digest, :comment,"
           " :verifies, :authentication, :key_id, :value)",
        soci::use(s.id), soci::use(s.signer_id), soci::use(s.username),
        soci::use(s.printed_name), soci::use(s.role), soci::use(s.meaning),
        soci::use(signed_at), soci::use(s.record.type), soci::use(s.record.id),
        soci::use(s.record.digest), soci::use(s.comment), soci::use(s.verifies, verifies_ind),
        soci::use(s.authentication), soci::use(s.key_id), soci::use(s.value);
    return {};
  });
  // Two unique columns: a random 128-bit id does not collide, a second verification does.
  if (!added && is_unattributed_duplicate(added.error())) {
    return s.verifies.empty() ? fail(already_exists("id", "Signature id already exists"))
                              : fail(already_exists("verifies", "Signature already verified"));
  }
  return added;
}

Result<std::optional<Signature>> SqlSignatureStore::find_signature(std::string_view id) {
  if (!is_storable_text(id)) return std::optional<Signature>();
  const std::string wanted(id);
  return single(db_.with_session([&wanted](soci::session& sql) -> Result<std::vector<Signature>> {
    return query_signatures(sql, std::string(kSelectSignature) + " WHERE signature_id = :id",
                            wanted);
  }));
}

Result<std::optional<Signature>> SqlSignatureStore::find_verification(std::string_view id) {
  if (!is_storable_text(id)) return std::optional<Signature>();
  const std::string wanted(id);
  return single(db_.with_session([&wanted](soci::session& sql) -> Result<std::vector<Signature>> {
    return query_signatures(sql, std::string(kSelectSignature) + " WHERE verifies = :id",
                            wanted);
  }));
}

Result<std::vector<Signature>> SqlSignatureStore::list_signatures(
    const std::optional<std::string>& record_type, const std::optional<std::string>& record_id,
    const std::optional<std::string>& signer_id, int limit) {
  for (const auto* value : {&record_type, &record_id, &signer_id}) {
    if (*value && !is_storable_text(**value)) return std::vector<Signature>();
  }
  const std::string type = record_type.value_or(""), id = record_id.value_or(""),
                    signer = signer_id.value_or("");
  const long long rows = limit;
  return db_.with_session([&](soci::session& sql) -> Result<std::vector<Signature>> {
    // The filters are fixed fragments, bound by position; nothing from input is spliced in.
    std::string query = std::string(kSelectSignature) + " WHERE 1 = 1";
    if (record_type) query += " AND record_type = :type";
    if (record_type && record_id) query += " AND record_id = :record";
    if (signer_id) query += " AND signer_id = :signer";
    query += " ORDER BY id DESC LIMIT :rows";
    if (record_type && record_id && signer_id) {
      return query_signatures(sql, query, type, id, signer, rows);
    }
    if (record_type && record_id) return query_signatures(sql, query, type, id, rows);
    if (record_type && signer_id) return query_signatures(sql, query, type, signer, rows);
    if (record_type) return query_signatures(sql, query, type, rows);
    if (signer_id) return query_signatures(sql, query, signer, rows);
    return query_signatures(sql, query, rows);
  });
}

Result<std::vector<Signature>> SqlSignatureStore::signatures_in_order(std::int64_t after,
                                                                      int limit,
                                                                      std::int64_t& next) {
  const long long from = after, rows = limit;
  return db_.with_session([&](soci::session& sql) -> Result<std::vector<Signature>> {
    long long last = from;
    auto found = query_rows<SignatureRow>(
        sql, std::string(kSelectSignature) + " WHERE id > :after ORDER BY id LIMIT :rows",
        [&last](SignatureRow& row) {
          last = row.position;
          return row.to_signature();
        },
        from, rows);
    next = last;
    return found;
  });
}

Result<std::optional<UnixSeconds>> SqlSignatureStore::session_signed_at(
    std::string_view session_digest) {
  if (!is_storable_text(session_digest)) return std::optional<UnixSeconds>();
  const std::string digest(session_digest);
  return db_.with_session([&digest](soci::session& sql) -> Result<std::optional<UnixSeconds>> {
    long long at = 0;
    soci::indicator ind = soci::i_null;
    sql << "SELECT first_signed_at FROM signing_sessions WHERE token_digest = :digest",
        soci::use(digest), soci::into(at, ind);
    if (!sql.got_data() || ind != soci::i_ok) return std::optional<UnixSeconds>();
    return std::optional<UnixSeconds>(at);
  });
}

Status SqlSignatureStore::mark_session_signed(std::string_view session_digest, UnixSeconds at) {
  if (auto ok = check_storable("session", session_digest); !ok) return ok;
  const std::string digest(session_digest);
  const long long when = at;
  return ignore_duplicate(db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    int present = 0;
    sql << "SELECT COUNT(*) FROM signing_sessions WHERE token_digest = :digest",
        soci::use(digest), soci::into(present);
    if (present != 0) return {};
    sql << "INSERT INTO signing_sessions (token_digest, first_signed_at) VALUES (:digest, :at)",
        soci::use(digest), soci::use(when);
    return {};
  }));
}

Status SqlSignatureStore::add_public_key(const SigningPublicKey& key) {
  for (const std::string* text : {&key.key_id, &key.algorithm, &key.public_key}) {
    if (auto ok = check_storable("key", *text); !ok) return ok;
  }
  const long long first_used_at = key.first_used_at;
  return ignore_duplicate(db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    int present = 0;
    sql << "SELECT COUNT(*) FROM signature_keys WHERE key_id = :id", soci::use(key.key_id),
        soci::into(present);
    if (present != 0) return {};
    sql << "INSERT INTO signature_keys (key_id, algorithm, public_key, first_used_at)"
           " VALUES (:id, :algorithm, :public_key, :at)",
        soci::use(key.key_id), soci::use(key.algorithm), soci::use(key.public_key),
        soci::use(first_used_at);
    return {};
  }));
}

Result<std::vector<SigningPublicKey>> SqlSignatureStore::public_keys() {
  return db_.with_session([](soci::session& sql) -> Result<std::vector<SigningPublicKey>> {
    return query_rows<KeyRow>(
        sql,
        "SELECT key_id, algorithm, public_key, first_used_at FROM signature_keys"
        " ORDER BY first_used_at, key_id",
        [](KeyRow& row) {
          return SigningPublicKey{row.key_id, row.algorithm, row.public_key, row.first_used_at};
        });
  });
}

}  // namespace automation::storage
