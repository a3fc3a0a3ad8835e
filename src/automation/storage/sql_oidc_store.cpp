#include "automation/storage/sql_oidc_store.hpp"

#include <string>
#include <utility>
#include <vector>

#include "automation/core/text.hpp"
#include "automation/storage/database.hpp"
#include "automation/storage/row_query.hpp"
#include "automation/storage/soci_support.hpp"
#include "automation/storage/store_errors.hpp"
#include "automation/storage/text.hpp"

namespace automation::storage {

namespace {

constexpr const char* kSelectOidcClient =
    "SELECT client_id, name, redirect_uris, post_logout_redirect_uris, is_public,"
    " client_credentials, secret_digest, created_at, created_by, id_token_alg FROM oidc_clients";

constexpr const char* kSelectOidcCode =
    "SELECT code_digest, client_id, redirect_uri, session_digest, user_id, scope, nonce,"
    " code_challenge, auth_time, amr, expires_at FROM oidc_codes WHERE code_digest = :digest";

constexpr const char* kSelectOidcRefreshToken =
    "SELECT token_digest, family_id, client_id, session_digest, user_id, scope, auth_time, amr,"
    " created_at, expires_at, used FROM oidc_refresh_tokens WHERE token_digest = :digest";

constexpr const char* kInsertOidcRefreshToken =
    "INSERT INTO oidc_refresh_tokens (token_digest, family_id, client_id, session_digest,"
    " user_id, scope, auth_time, amr, created_at, expires_at, used) VALUES (:digest, :family,"
    " :client, :session, :user_id, :scope, :auth_time, :amr, :created_at, :expires_at, :used)";

// A client's URI lists are stored one URI per line (a URI holds no line break: refused below).
std::string join_oidc_uris(const std::vector<std::string>& uris) {
  std::string out;
  for (const std::string& uri : uris) {
    if (!out.empty()) out += '\n';
    out += uri;
  }
  return out;
}

std::vector<std::string> split_oidc_uris(const std::string& text) {
  std::vector<std::string> uris;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) uris.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return uris;
}

Status check_oidc_uris(std::string_view field, const std::vector<std::string>& uris) {
  for (const std::string& uri : uris) {
    if (auto ok = check_storable(field, uri); !ok) return ok;
    if (uri.empty() || uri.find_first_of("\r\n") != std::string::npos) {
      return fail(Error::invalid(std::string(field), "a URI is empty or holds a line break"));
    }
  }
  return {};
}

// Receiving buffers for one row of kSelectOidcClient.
struct OidcClientRow {
  std::string client_id, name, redirect_uris, post_logout_redirect_uris, secret_digest,
      created_by, id_token_alg;
  int is_public = 0, client_credentials = 0;
  long long created_at = 0;

  void bind(soci::statement& st) {
    st.exchange(soci::into(client_id));
    st.exchange(soci::into(name));
    st.exchange(soci::into(redirect_uris));
    st.exchange(soci::into(post_logout_redirect_uris));
    st.exchange(soci::into(is_public));
    st.exchange(soci::into(client_credentials));
    st.exchange(soci::into(secret_digest));
    st.exchange(soci::into(created_at));
    st.exchange(soci::into(created_by));
    st.exchange(soci::into(id_token_alg));
  }
  OidcClient to_client() const {
    OidcClient client;
    client.client_id = client_id;
    client.name = name;
    client.redirect_uris = split_oidc_uris(redirect_uris);
    client.post_logout_redirect_uris = split_oidc_uris(post_logout_redirect_uris);
    client.is_public = is_public != 0;
    client.client_credentials = client_credentials != 0;
    client.secret_digest = secret_digest;
    client.created_at = created_at;
    client.created_by = created_by;
    client.id_token_alg = id_token_alg;
    return client;
  }
};

struct OidcCodeRow {
  OidcCode code;
  long long user_id = 0, auth_time = 0, expires_at = 0;

  void bind(soci::statement& st) {
    st.exchange(soci::into(code.code_digest));
    st.exchange(soci::into(code.client_id));
    st.exchange(soci::into(code.redirect_uri));
    st.exchange(soci::into(code.session_digest));
    st.exchange(soci::into(user_id));
    st.exchange(soci::into(code.scope));
    st.exchange(soci::into(code.nonce));
    st.exchange(soci::into(code.code_challenge));
    st.exchange(soci::into(auth_time));
    st.exchange(soci::into(code.amr));
    st.exchange(soci::into(expires_at));
  }
  OidcCode to_code() const {
    OidcCode out = code;
    out.user_id = user_id;
    out.auth_time = auth_time;
    out.expires_at = expires_at;
    return out;
  }
};

struct OidcRefreshRow {
  OidcRefreshToken token;
  long long user_id = 0, auth_time = 0, created_at = 0, expires_at = 0;
  int used = 0;

  void bind(soci::statement& st) {
    st.exchange(soci::into(token.token_digest));
    st.exchange(soci::into(token.family_id));
    st.exchange(soci::into(token.client_id));
    st.exchange(soci::into(token.session_digest));
    st.exchange(soci::into(user_id));
    st.exchange(soci::into(token.scope));
    st.exchange(soci::into(auth_time));
    st.exchange(soci::into(token.amr));
    st.exchange(soci::into(created_at));
    st.exchange(soci::into(expires_at));
    st.exchange(soci::into(used));
  }
  OidcRefreshToken to_token() const {
    OidcRefreshToken out = token;
    out.user_id = user_id;
    out.auth_time = auth_time;
    out.created_at = created_at;
    out.expires_at = expires_at;
    out.used = used != 0;
    return out;
  }
};

std::optional<OidcRefreshToken> select_refresh_token(soci::session& sql,
                                                     const std::string& digest) {
  auto rows = query_rows<OidcRefreshRow>(
      sql, kSelectOidcRefreshToken, [](OidcRefreshRow& row) { return row.to_token(); }, digest);
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

Status check_refresh_token_texts(const OidcRefreshToken& token) {
  const std::pair<const char*, const std::string*> texts[] = {
      {"token_digest", &token.token_digest}, {"family_id", &token.family_id},
      {"client_id", &token.client_id},       {"session_digest", &token.session_digest},
      {"scope", &token.scope},               {"amr", &token.amr}};
  for (const auto& [field, value] : texts) {
    if (auto ok = check_storable(field, *value); !ok) return ok;
  }
  return {};
}

void insert_refresh_token(soci::session& sql, const OidcRefreshToken& token) {
  const long long user_id = token.user_id;
  const long long auth_time = token.auth_time;
  const long long created_at = token.created_at;
  const long long expires_at = token.expires_at;
  const int used = token.used ? 1 : 0;
  sql << kInsertOidcRefreshToken, soci::use(token.token_digest), soci::use(token.family_id),
      soci::use(token.client_id), soci::use(token.session_digest), soci::use(user_id),
      soci::use(token.scope), soci::use(auth_time), soci::use(token.amr), soci::use(created_at),
      soci::use(expires_at), soci::use(used);
}

// The conditional UPDATE whose row count decides a redemption: true when this call used it.
// (Its statement is finalized before anything else runs: finalizing a statement after a failed
// one would reset SQLite's extended error code, which tells a foreign-key violation apart.)
bool mark_refresh_token_used(soci::session& sql, const std::string& digest) {
  soci::statement use_it = (sql.prepare << "UPDATE oidc_refresh_tokens SET used = 1"
                                           " WHERE token_digest = :digest AND used = 0",
                            soci::use(digest));
  use_it.execute(true);
  return use_it.get_affected_rows() == 1;
}

long long delete_refresh_family(soci::session& sql, const std::string& family_id) {
  soci::statement remove = (sql.prepare << "DELETE FROM oidc_refresh_tokens WHERE family_id = :f",
                            soci::use(family_id));
  remove.execute(true);
  return remove.get_affected_rows();
}

}  // namespace

// --- clients ---

Status SqlOidcStore::add_client(const OidcClient& client) {
  const std::pair<const char*, const std::string*> texts[] = {
      {"client_id", &client.client_id},
      {"name", &client.name},
      {"secret_digest", &client.secret_digest},
      {"created_by", &client.created_by}};
  for (const auto& [field, value] : texts) {
    if (auto ok = check_storable(field, *value); !ok) return ok;
  }
  if (client.client_id.empty() || client.client_id.size() > 64) {
    return fail(Error::invalid("client_id", "must be 1-64 characters"));
  }
  if (client.name.empty() || client.name.size() > 64) {
    return fail(Error::invalid("name", "must be 1-64 characters"));
  }
  if (client.secret_digest.size() > 64) {
    return fail(Error::invalid("secret_digest", "must be at most 64 characters"));
  }
  if (auto ok = check_oidc_uris("redirect_uris", client.redirect_uris); !ok) return ok;
  if (auto ok = check_oidc_uris("post_logout_redirect_uris", client.post_logout_redirect_uris);
      !ok) {
    return ok;
  }
  const std::string name_key = to_lower_ascii(client.name);
  const std::string redirect_uris = join_oidc_uris(client.redirect_uris);
  const std::string post_logout = join_oidc_uris(client.post_logout_redirect_uris);
  const std::string created_by = client.created_by.substr(0, 255);
  auto added = db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Status {
    int taken = 0;
    sql << "SELECT COUNT(*) FROM oidc_clients WHERE client_id = :id", soci::use(client.client_id),
        soci::into(taken);
    if (taken != 0) return fail(already_exists("client_id", "OIDC client id already exists"));
    sql << "SELECT COUNT(*) FROM oidc_clients WHERE name_key = :key", soci::use(name_key),
        soci::into(taken);
    if (taken != 0) return fail(already_exists("name", "An OIDC client with this name exists"));
    const int is_public = client.is_public ? 1 : 0;
    const int client_credentials = client.client_credentials ? 1 : 0;
    const long long created_at = client.created_at;
    sql << "INSERT INTO oidc_clients (client_id, name, name_key, redirect_uris,"
           " post_logout_redirect_uris, is_public, client_credentials, secret_digest, created_at,"
           " created_by, id_token_alg) VALUES (:id, :name, :key, :redirect, :post_logout, :public,"
           " :cc, :secret, :created_at, :created_by, :alg)",
        soci::use(client.client_id), soci::use(client.name), soci::use(name_key),
        soci::use(redirect_uris), soci::use(post_logout), soci::use(is_public),
        soci::use(client_credentials), soci::use(client.secret_digest), soci::use(created_at),
        soci::use(created_by), soci::use(client.id_token_alg);
    return {};
  });
  // A racing insert of the same name got in between the check and the insert.
  if (!added && is_unattributed_duplicate(added.error())) {
    return fail(already_exists("name", "An OIDC client with this name exists"));
  }
  return added;
}

Result<std::optional<OidcClient>> SqlOidcStore::find_client(std::string_view client_id) {
  if (client_id.empty() || !is_storable_text(client_id)) return std::optional<OidcClient>();
  const std::string wanted(client_id);
  return db_.with_session([&wanted](soci::session& sql) -> Result<std::optional<OidcClient>> {
    auto rows = query_rows<OidcClientRow>(
        sql, std::string(kSelectOidcClient) + " WHERE client_id = :id",
        [](OidcClientRow& row) { return row.to_client(); }, wanted);
    if (rows.empty()) return std::optional<OidcClient>();
    return std::optional<OidcClient>(std::move(rows.front()));
  });
}

Result<std::optional<OidcClient>> SqlOidcStore::find_client_by_name(std::string_view name) {
  if (name.empty() || !is_storable_text(name)) return std::optional<OidcClient>();
  const std::string key = to_lower_ascii(name);
  return db_.with_session([&key](soci::session& sql) -> Result<std::optional<OidcClient>> {
    auto rows = query_rows<OidcClientRow>(
        sql, std::string(kSelectOidcClient) + " WHERE name_key = :key",
        [](OidcClientRow& row) { return row.to_client(); }, key);
    if (rows.empty()) return std::optional<OidcClient>();
    return std::optional<OidcClient>(std::move(rows.front()));
  });
}

Result<std::vector<OidcClient>> SqlOidcStore::list_clients() {
  return db_.with_session([](soci::session& sql) -> Result<std::vector<OidcClient>> {
    return query_rows<OidcClientRow>(sql, std::string(kSelectOidcClient) + " ORDER BY name_key",
                                     [](OidcClientRow& row) { return row.to_client(); });
  });
}

Status SqlOidcStore::remove_client(std::string_view client_id) {
  if (client_id.empty() || !is_storable_text(client_id)) {
    return fail(ErrorCode::kNotFound, "OIDC client not found");
  }
  const std::string wanted(client_id);
  return db_.transaction(TxMode::kWrite, [&wanted](soci::session& sql) -> Status {
    // Explicit as well as by the foreign keys' cascade: a connection without foreign keys
    // enabled (a SQLite tool outside this service) must not leave a removed client's grants.
    sql << "DELETE FROM oidc_codes WHERE client_id = :id", soci::use(wanted);
    sql << "DELETE FROM oidc_refresh_tokens WHERE client_id = :id", soci::use(wanted);
    soci::statement remove =
        (sql.prepare << "DELETE FROM oidc_clients WHERE client_id = :id", soci::use(wanted));
    remove.execute(true);
    if (remove.get_affected_rows() == 0) return fail(ErrorCode::kNotFound, "OIDC client not found");
    return {};
  });
}

// --- authorization codes ---

Status SqlOidcStore::add_code(const OidcCode& code) {
  const std::pair<const char*, const std::string*> texts[] = {
      {"code_digest", &code.code_digest},   {"client_id", &code.client_id},
      {"redirect_uri", &code.redirect_uri}, {"session_digest", &code.session_digest},
      {"scope", &code.scope},               {"nonce", &code.nonce},
      {"code_challenge", &code.code_challenge}, {"amr", &code.amr}};
  for (const auto& [field, value] : texts) {
    if (auto ok = check_storable(field, *value); !ok) return ok;
  }
  return db_.transaction(TxMode::kWrite, [&code](soci::session& sql) -> Status {
    const long long user_id = code.user_id;
    const long long auth_time = code.auth_time;
    const long long expires_at = code.expires_at;
    sql << "INSERT INTO oidc_codes (code_digest, client_id, redirect_uri, session_digest, user_id,"
           " scope, nonce, code_challenge, auth_time, amr, expires_at) VALUES (:digest, :client,"
           " :redirect, :session, :user_id, :scope, :nonce, :challenge, :auth_time, :amr,"
           " :expires_at)",
        soci::use(code.code_digest), soci::use(code.client_id), soci::use(code.redirect_uri),
        soci::use(code.session_digest), soci::use(user_id), soci::use(code.scope),
        soci::use(code.nonce), soci::use(code.code_challenge), soci::use(auth_time),
        soci::use(code.amr), soci::use(expires_at);
    return {};
  });
}

Result<std::optional<OidcCode>> SqlOidcStore::redeem_code(std::string_view code_digest,
                                                          UnixSeconds now) {
  if (code_digest.empty() || !is_storable_text(code_digest)) return std::optional<OidcCode>();
  const std::string digest(code_digest);
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Result<std::optional<OidcCode>> {
    auto rows = query_rows<OidcCodeRow>(
        sql, kSelectOidcCode, [](OidcCodeRow& row) { return row.to_code(); }, digest);
    if (rows.empty()) return std::optional<OidcCode>();
    soci::statement consume = (sql.prepare << "DELETE FROM oidc_codes WHERE code_digest = :digest",
                               soci::use(digest));
    consume.execute(true);
    // Another redemption deleted it between our read and our delete: it won.
    if (consume.get_affected_rows() != 1) return std::optional<OidcCode>();
    // Expired: deleted all the same (committed), and refused.
    if (rows.front().expires_at <= now) return std::optional<OidcCode>();
    return std::optional<OidcCode>(std::move(rows.front()));
  });
}

// --- refresh tokens ---

Status SqlOidcStore::add_refresh_token(const OidcRefreshToken& token) {
  if (auto ok = check_refresh_token_texts(token); !ok) return ok;
  return db_.transaction(TxMode::kWrite, [&token](soci::session& sql) -> Status {
    insert_refresh_token(sql, token);
    return {};
  });
}

Result<RefreshRedemption> SqlOidcStore::redeem_refresh_token(std::string_view token_digest,
                                                             UnixSeconds now) {
  return redeem(token_digest, now, nullptr);
}

Result<RefreshRedemption> SqlOidcStore::rotate_refresh_token(std::string_view token_digest,
                                                             UnixSeconds now,
                                                             const OidcRefreshToken& successor) {
  if (auto ok = check_refresh_token_texts(successor); !ok) return fail(ok.error());
  return redeem(token_digest, now, &successor);
}

Result<RefreshRedemption> SqlOidcStore::redeem(std::string_view token_digest, UnixSeconds now,
                                               const OidcRefreshToken* successor) {
  if (token_digest.empty() || !is_storable_text(token_digest)) {
    return RefreshRedemption{RefreshOutcome::kUnknown, std::nullopt};
  }
  const std::string digest(token_digest);
  return db_.transaction(TxMode::kWrite, [&](soci::session& sql) -> Result<RefreshRedemption> {
    // Every redemption takes this token's row lock first, so racing redemptions queue on one
    // row and only the holder touches the family. Without it, two losers deleting the family
    // at once locked its rows in different orders: MySQL found a deadlock, and one got 503.
    sql << "UPDATE oidc_refresh_tokens SET used = used WHERE token_digest = :digest",
        soci::use(digest);
    std::optional<OidcRefreshToken> found = select_refresh_token(sql, digest);
    if (!found) return RefreshRedemption{RefreshOutcome::kUnknown, std::nullopt};
    if (found->used) {
      delete_refresh_family(sql, found->family_id);
      return RefreshRedemption{RefreshOutcome::kReused, std::move(found)};
    }
    if (found->expires_at <= now) {
      sql << "DELETE FROM oidc_refresh_tokens WHERE token_digest = :digest", soci::use(digest);
      return RefreshRedemption{RefreshOutcome::kExpired, std::move(found)};
    }
    if (!mark_refresh_token_used(sql, digest)) {
      // A racing redemption used it after our read (a guard: the row lock above makes the
      // read see it used): that is reuse as well, and the winner's successor goes too.
      delete_refresh_family(sql, found->family_id);
      found->used = true;
      return RefreshRedemption{RefreshOutcome::kReused, std::move(found)};
    }
    found->used = true;
    if (successor != nullptr) {
      OidcRefreshToken next = *successor;
      next.family_id = found->family_id;
      next.used = false;
      insert_refresh_token(sql, next);
    }
    return RefreshRedemption{RefreshOutcome::kRedeemed, std::move(found)};
  });
}

Result<std::optional<OidcRefreshToken>> SqlOidcStore::find_refresh_token(
    std::string_view token_digest) {
  if (token_digest.empty() || !is_storable_text(token_digest)) {
    return std::optional<OidcRefreshToken>();
  }
  const std::string digest(token_digest);
  return db_.with_session(
      [&digest](soci::session& sql) -> Result<std::optional<OidcRefreshToken>> {
        return select_refresh_token(sql, digest);
      });
}

Status SqlOidcStore::revoke_refresh_family(std::string_view family_id) {
  if (family_id.empty() || !is_storable_text(family_id)) return {};
  const std::string family(family_id);
  return db_.transaction(TxMode::kWrite, [&family](soci::session& sql) -> Status {
    delete_refresh_family(sql, family);
    return {};
  });
}

Status SqlOidcStore::delete_user_refresh_tokens(std::int64_t user_id) {
  const long long user = user_id;
  return db_.transaction(TxMode::kWrite, [user](soci::session& sql) -> Status {
    sql << "DELETE FROM oidc_refresh_tokens WHERE user_id = :id", soci::use(user);
    return {};
  });
}

Status SqlOidcStore::delete_expired_oidc_grants(UnixSeconds now) {
  const long long cutoff = now;
  return db_.transaction(TxMode::kWrite, [cutoff](soci::session& sql) -> Status {
    sql << "DELETE FROM oidc_codes WHERE expires_at <= :now", soci::use(cutoff);
    sql << "DELETE FROM oidc_refresh_tokens WHERE expires_at <= :now", soci::use(cutoff);
    sql << "DELETE FROM oidc_revoked_access_tokens WHERE expires_at <= :now", soci::use(cutoff);
    return {};
  });
}

Status SqlOidcStore::revoke_access_token(std::string_view jti, UnixSeconds expires_at) {
  if (jti.empty() || !is_storable_text(jti) || jti.size() > 64) {
    return fail(ErrorCode::kInvalidArgument, "not a token id");
  }
  const std::string id(jti);
  const long long until = expires_at;
  auto stored = db_.transaction(TxMode::kWrite, [&id, until](soci::session& sql) -> Status {
    int present = 0;
    sql << "SELECT COUNT(*) FROM oidc_revoked_access_tokens WHERE jti = :jti", soci::use(id),
        soci::into(present);
    if (present == 0) {
      sql << "INSERT INTO oidc_revoked_access_tokens (jti, expires_at) VALUES (:jti, :until)",
          soci::use(id), soci::use(until);
    }
    return {};
  });
  // Two revocations of one token at once: the other one recorded it.
  if (!stored && stored.error().code == ErrorCode::kAlreadyExists) return {};
  return stored;
}

Result<bool> SqlOidcStore::refresh_family_exists(std::string_view family_id) {
  if (family_id.empty() || !is_storable_text(family_id)) return false;
  const std::string family(family_id);
  return db_.with_session([&family](soci::session& sql) -> Result<bool> {
    int present = 0;
    sql << "SELECT COUNT(*) FROM oidc_refresh_tokens WHERE family_id = :f", soci::use(family),
        soci::into(present);
    return present > 0;
  });
}

Result<bool> SqlOidcStore::access_token_revoked(std::string_view jti) {
  if (jti.empty() || !is_storable_text(jti)) return false;
  const std::string id(jti);
  return db_.with_session([&id](soci::session& sql) -> Result<bool> {
    int present = 0;
    sql << "SELECT COUNT(*) FROM oidc_revoked_access_tokens WHERE jti = :jti", soci::use(id),
        soci::into(present);
    return present > 0;
  });
}

}  // namespace automation::storage
