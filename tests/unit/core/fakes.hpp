#pragma once

// In-memory implementations of the core's ports, for core unit tests. The same behaviour
// is checked against the real SQLite store by tests/contract.

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "automation/core/ports.hpp"
#include "automation/core/text.hpp"

namespace automation::testing {

class FakeClock : public Clock {
 public:
  UnixSeconds now() override { return now_; }
  void advance(UnixSeconds seconds) { now_ += seconds; }

 private:
  UnixSeconds now_ = 1'700'000'000;
};

// Deterministic, unique hex.
class FakeRandom : public RandomSource {
 public:
  std::string random_hex(std::size_t n_bytes) override {
    std::string hex = std::to_string(++counter_);
    hex.insert(0, 2 * n_bytes - std::min(hex.size(), 2 * n_bytes), '0');
    return hex.substr(0, 2 * n_bytes);
  }

 private:
  unsigned long counter_ = 0;
};

class FakeDigester : public TokenDigester {
 public:
  std::string digest(std::string_view token) override { return "digest:" + std::string(token); }
};

// "fake$<password>" hashes; "legacy$<password>" matches but needs a rehash. Counts calls so
// tests can assert that unknown users cost one verification too.
class FakeHasher : public PasswordHasher {
 public:
  Result<std::string> hash(std::string_view password) override {
    ++hash_calls;
    return "fake$" + std::string(password);
  }
  PasswordCheck verify(std::string_view password, std::string_view stored) override {
    ++verify_calls;
    if (stored == "fake$" + std::string(password)) return {true, false};
    if (stored == "legacy$" + std::string(password)) return {true, true};
    return {false, false};
  }
  int hash_calls = 0;
  int verify_calls = 0;
};

// Tokens look like "h.<role>|<jti>|<exp>.<secret>"; verify checks the secret part.
class FakeJwt : public JwtCodec {
 public:
  Result<std::string> sign(const TptClaims& claims, std::string_view secret) override {
    return "h." + claims.role + "|" + claims.jti + "|" +
           (claims.exp ? std::to_string(*claims.exp) : "") + "." + std::string(secret);
  }
  Result<TptClaims> verify(std::string_view token, std::string_view secret) override {
    const std::string text(token);
    const auto first = text.find('.');
    const auto last = text.rfind('.');
    if (first == std::string::npos || first == last || text.substr(last + 1) != secret) {
      return fail(ErrorCode::kUnauthenticated, "Invalid token");
    }
    const std::string body = text.substr(first + 1, last - first - 1);
    const auto bar1 = body.find('|');
    const auto bar2 = body.find('|', bar1 + 1);
    TptClaims claims;
    claims.role = body.substr(0, bar1);
    claims.jti = body.substr(bar1 + 1, bar2 - bar1 - 1);
    const std::string exp = body.substr(bar2 + 1);
    if (!exp.empty()) claims.exp = std::stoll(exp);
    return claims;
  }
};

class InMemoryStores : public RoleStore,
                       public UserStore,
                       public SessionStore,
                       public TptStore,
                       public ThrottleStore,
                       public AuditStore,
                       public SettingsStore,
                       public PasswordStore,
                       public UnitOfWork {
 public:
  // When set, audit events cannot be written (a full or failing audit store).
  bool audit_writes_fail = false;

  // UnitOfWork: everything but the attempt counts (which stand, as ThrottleStore promises)
  // is put back as it was when work() fails.
  Status run(const std::function<Status()>& work) override {
    if (in_unit_) return work();
    const auto saved = std::make_tuple(next_id_, roles_, users_, sessions_, tpts_, events_,
                                       settings_, password_states_, password_history_);
    in_unit_ = true;
    Status status = work();
    in_unit_ = false;
    if (!status) {
      std::tie(next_id_, roles_, users_, sessions_, tpts_, events_, settings_, password_states_,
               password_history_) = saved;
    }
    return status;
  }

  // RoleStore
  Result<std::vector<Role>> list_roles() override { return roles_; }  // in creation order
  Result<std::optional<Role>> find_role(std::string_view name) override {
    for (const auto& role : roles_) {
      if (iequals_ascii(role.name, name)) return role;
    }
    return std::optional<Role>{};
  }
  Result<Role> add_role(const Role& role) override {
    if (*find_role(role.name)) return fail(ErrorCode::kAlreadyExists, "duplicate role");
    Role stored = role;
    stored.id = next_id_++;
    roles_.push_back(stored);
    return stored;
  }

  // UserStore
  Result<User> add_user(const NewUser& user) override {
    if (*find_user_by_username(user.username)) return duplicate("username");
    if (*find_user_by_email(user.email)) return duplicate("email");
    User stored{next_id_++, user.identifier, user.username, user.email, user.password_hash,
                role_by_id(user.role_id), user.name, user.lastname};
    users_.push_back(stored);
    if (user.password_set_at > 0) {
      password_states_[stored.id] = PasswordState{user.password_set_at, user.must_change_password};
    }
    return stored;
  }
  Result<std::optional<User>> find_user_by_username(std::string_view username) override {
    return find_user([&](const User& u) { return iequals_ascii(u.username, username); });
  }
  Result<std::optional<User>> find_user_by_email(std::string_view email) override {
    return find_user([&](const User& u) { return iequals_ascii(u.email, email); });
  }
  Result<std::optional<User>> find_user_by_identifier(std::string_view identifier) override {
    return find_user([&](const User& u) { return u.identifier == identifier; });
  }
  Result<std::optional<User>> find_user_by_id(std::int64_t id) override {
    return find_user([&](const User& u) { return u.id == id; });
  }
  Result<UserPage> list_users(std::int64_t offset, std::int64_t limit) override {
    UserPage page;
    for (const auto& user : users_) {
      User current = *refresh(user);
      if (current.role.level == 0) continue;
      if (page.total++ < offset) continue;
      if (limit > 0 && static_cast<std::int64_t>(page.users.size()) >= limit) continue;
      page.users.push_back(current);
    }
    return page;
  }
  Result<UserPage> search_users(std::string_view text, std::int64_t offset,
                                std::int64_t limit) override {
    const std::string wanted = to_lower_ascii(text);
    const auto has = [&](std::string_view field) {
      return to_lower_ascii(field).find(wanted) != std::string::npos;
    };
    UserPage page;
    for (const auto& user : users_) {
      User current = *refresh(user);
      if (current.role.level == 0) continue;
      if (!has(current.username) && !has(current.email) && !has(current.name.value_or("")) &&
          !has(current.lastname.value_or(""))) {
        continue;
      }
      if (page.total++ < offset) continue;
      if (static_cast<std::int64_t>(page.users.size()) < limit) page.users.push_back(current);
    }
    return page;
  }
  Result<User> update_profile(std::int64_t user_id, const UserEdit& edit) override {
    User* user = user_by_id(user_id);
    if (!user) return fail(ErrorCode::kNotFound, "no user");
    if (edit.email) {
      auto other = *find_user_by_email(*edit.email);
      if (other && other->id != user_id) return duplicate("email");
      user->email = *edit.email;
    }
    if (edit.name) user->name = *edit.name;
    if (edit.lastname) user->lastname = *edit.lastname;
    return *refresh(*user);
  }
  Status set_password_hash(std::int64_t user_id, std::string_view hash,
                           const SessionRevocation& revocation) override {
    User* user = user_by_id(user_id);
    if (!user) return fail(ErrorCode::kNotFound, "no user");
    user->password_hash = std::string(hash);
    if (revocation.revoke) {
      std::erase_if(sessions_, [&](const auto& entry) {
        return entry.second.user_id == user_id && entry.first != revocation.keep_digest;
      });
    }
    return {};
  }
  Status set_user_role(std::int64_t user_id, std::int64_t role_id) override {
    User* user = user_by_id(user_id);
    if (!user) return fail(ErrorCode::kNotFound, "no user");
    user->role = role_by_id(role_id);
    return {};
  }
  Status delete_user(std::int64_t user_id) override {
    std::erase_if(users_, [&](const User& u) { return u.id == user_id; });
    password_states_.erase(user_id);
    password_history_.erase(user_id);
    return delete_user_sessions(user_id);
  }

  // PasswordStore; users without a record count from `records_began`.
  Result<PasswordState> password_state(std::int64_t user_id) override {
    auto it = password_states_.find(user_id);
    return it != password_states_.end() ? it->second : PasswordState{records_began, false};
  }
  Result<std::vector<std::string>> previous_password_hashes(std::int64_t user_id,
                                                            int limit) override {
    std::vector<std::string> hashes = password_history_[user_id];
    if (static_cast<int>(hashes.size()) > limit) hashes.resize(std::max(limit, 0));
    return hashes;
  }
  Status replace_password(std::int64_t user_id, const PasswordUpdate& update) override {
    User* user = user_by_id(user_id);
    if (!user) return fail(ErrorCode::kNotFound, "no user");
    std::vector<std::string>& history = password_history_[user_id];
    if (update.history_depth > 0) history.insert(history.begin(), user->password_hash);
    history.resize(std::min<std::size_t>(history.size(), std::max(update.history_depth, 0)));
    password_states_[user_id] = PasswordState{update.set_at, update.must_change};
    if (auto stored = set_password_hash(user_id, update.hash, update.revocation); !stored) {
      return stored;
    }
    auto kept = sessions_.find(update.revocation.keep_digest);
    if (kept != sessions_.end() && kept->second.user_id == user_id) {
      kept->second.password_change = PasswordChangeDemand::kNone;
    }
    return {};
  }
  UnixSeconds records_began = 1'600'000'000;

  // SessionStore
  Status add_session(const Session& session) override {
    if (!sessions_.emplace(session.token_digest, session).second) return duplicate("token_digest");
    return {};
  }
  Status add_session_within_limit(const Session& session, int max_per_user) override {
    if (auto added = add_session(session); !added) return added;
    std::vector<Session> others;
    for (const auto& [digest, other] : sessions_) {
      if (other.user_id == session.user_id && digest != session.token_digest) {
        others.push_back(other);
      }
    }
    std::sort(others.begin(), others.end(), [](const Session& a, const Session& b) {
      return a.created_at != b.created_at ? a.created_at > b.created_at
                                          : a.token_digest > b.token_digest;
    });
    for (std::size_t i = static_cast<std::size_t>(std::max(max_per_user - 1, 0));
         i < others.size(); ++i) {
      sessions_.erase(others[i].token_digest);
    }
    return {};
  }
  Result<std::optional<ActiveSession>> find_session(std::string_view digest) override {
    auto it = sessions_.find(std::string(digest));
    if (it == sessions_.end()) return std::optional<ActiveSession>{};
    auto user = *find_user_by_id(it->second.user_id);
    if (!user) return std::optional<ActiveSession>{};
    ActiveSession active{it->second, *user};
    if (auto stale = stale_last_use.find(it->first); stale != stale_last_use.end()) {
      active.session.last_used_at = stale->second;
    }
    return std::optional<ActiveSession>{std::move(active)};
  }
  // As a cache would, find_session may answer with an older last use (stale_last_use).
  Result<std::optional<ActiveSession>> reread_session(std::string_view digest) override {
    stale_last_use.erase(std::string(digest));
    return find_session(digest);
  }
  std::map<std::string, UnixSeconds> stale_last_use;
  Status delete_session(std::string_view digest) override {
    sessions_.erase(std::string(digest));
    return {};
  }
  Result<std::vector<Session>> list_user_sessions(std::int64_t user_id,
                                                  UnixSeconds now) override {
    std::vector<Session> out;
    for (const auto& [digest, session] : sessions_) {
      const bool live = session.expires_at == 0 || session.expires_at > now;
      if (session.user_id == user_id && live) out.push_back(session);
    }
    std::sort(out.begin(), out.end(), [](const Session& a, const Session& b) {
      return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
    });
    return out;
  }
  Result<std::optional<Session>> find_session_by_id(std::string_view session_id) override {
    for (const auto& [digest, session] : sessions_) {
      if (!session_id.empty() && session.id == session_id) return std::optional<Session>(session);
    }
    return std::optional<Session>{};
  }
  Status delete_user_sessions(std::int64_t user_id) override {
    std::erase_if(sessions_, [&](const auto& entry) { return entry.second.user_id == user_id; });
    return {};
  }
  Status delete_expired_sessions(UnixSeconds now) override {
    std::erase_if(sessions_, [&](const auto& entry) {
      return entry.second.expires_at != 0 && entry.second.expires_at <= now;
    });
    return {};
  }
  Status record_session_use(std::string_view digest, UnixSeconds now) override {
    ++session_use_writes;
    auto it = sessions_.find(std::string(digest));
    if (it != sessions_.end() && it->second.last_used_at < now) it->second.last_used_at = now;
    return {};
  }
  std::size_t session_count() const { return sessions_.size(); }
  int session_use_writes = 0;

  // TptStore
  Status add_tpt(const TptRecord& record) override {
    tpts_.push_back(record);
    return {};
  }
  Result<std::vector<TptRecord>> list_tpts() override { return tpts_; }
  Result<std::optional<TptRecord>> find_tpt(std::string_view jti) override {
    for (const auto& tpt : tpts_) {
      if (tpt.jti == jti) return std::optional<TptRecord>{tpt};
    }
    return std::optional<TptRecord>{};
  }
  Status revoke_tpt(std::string_view jti) override {
    for (auto& tpt : tpts_) {
      if (tpt.jti == jti) {
        tpt.revoked = true;
        return {};
      }
    }
    return fail(ErrorCode::kNotFound, "Token not found");
  }

  // ThrottleStore
  Result<AttemptReservation> reserve_attempt(const std::vector<ThrottleLimit>& limits,
                                             UnixSeconds now, UnixSeconds since) override {
    AttemptReservation reservation;
    for (const auto& limit : limits) {
      if (limit.limit <= 0) continue;
      const FailureWindow window = *failures_since(limit.key, since);
      if (window.count >= limit.limit) {
        reservation.oldest_blocking = window.oldest;
        return reservation;
      }
    }
    for (const auto& limit : limits) {
      if (limit.limit <= 0) continue;
      const std::int64_t id = next_id_++;
      failures_[limit.key].push_back(now);
      failure_ids_[id] = {limit.key, now};
      reservation.failure_ids.push_back(id);
    }
    reservation.granted = true;
    return reservation;
  }
  Status release_attempt(const std::vector<std::int64_t>& failure_ids,
                         std::string_view reset_key) override {
    failures_.erase(std::string(reset_key));
    for (const std::int64_t id : failure_ids) {
      const auto found = failure_ids_.find(id);
      if (found == failure_ids_.end()) continue;
      auto& times = failures_[found->second.first];
      const auto at = std::find(times.begin(), times.end(), found->second.second);
      if (at != times.end()) times.erase(at);
      failure_ids_.erase(found);
    }
    return {};
  }
  Result<FailureWindow> failures_since(std::string_view key, UnixSeconds since) override {
    FailureWindow window;
    for (UnixSeconds at : failures_[std::string(key)]) {
      if (at < since) continue;
      if (window.count++ == 0 || at < window.oldest) window.oldest = at;
    }
    return window;
  }
  Result<std::int64_t> clear_failures(std::string_view key) override {
    std::int64_t cleared = 0;
    const std::string prefix = std::string(key) + "|";
    for (auto it = failures_.begin(); it != failures_.end();) {
      if (it->first == key || it->first.starts_with(prefix)) {
        cleared += static_cast<std::int64_t>(it->second.size());
        it = failures_.erase(it);
      } else {
        ++it;
      }
    }
    return cleared;
  }
  Result<std::int64_t> count_keys_at_limit(std::string_view prefix, int limit,
                                           UnixSeconds since) override {
    std::int64_t full = 0;
    for (const auto& [key, times] : failures_) {
      if (!key.starts_with(prefix) || key.find('|') != std::string::npos) continue;
      const auto counted = std::count_if(times.begin(), times.end(),
                                         [since](UnixSeconds at) { return at >= since; });
      if (counted >= limit) ++full;
    }
    return full;
  }

  // AuditStore
  Status append_event(const AuditEvent& event) override {
    if (audit_writes_fail) return fail(ErrorCode::kUnavailable, "audit store full");
    events_.push_back(event);
    return {};
  }
  Result<std::vector<AuditEvent>> recent_events(const AuditEventFilter& filter) override {
    std::vector<AuditEvent> out;
    for (auto it = events_.rbegin(); it != events_.rend() && std::ssize(out) < filter.limit; ++it) {
      const auto matches = [](const std::string& wanted, const std::string& value) {
        return wanted.empty() || wanted == value;
      };
      if ((filter.since && it->time < *filter.since) || (filter.until && it->time > *filter.until)) {
        continue;
      }
      if (matches(filter.event, it->event) && matches(filter.actor, it->actor) &&
          matches(filter.target, it->target) && matches(filter.outcome, it->outcome)) {
        out.push_back(*it);
      }
    }
    return out;
  }
  // The chain itself is the SQL store's (tested in the store contract suite); here events
  // are kept unsealed.
  Result<AuditChainState> chain_state() override { return AuditChainState{}; }
  Result<std::vector<ChainedAuditEvent>> chained_events(std::int64_t, std::int64_t,
                                                        int) override {
    return std::vector<ChainedAuditEvent>{};
  }
  Result<std::optional<ChainedAuditEvent>> first_unsealed_from(std::int64_t) override {
    return std::optional<ChainedAuditEvent>{};
  }
  Result<std::int64_t> unsealed_event_count() override { return 0; }
  Status seal_chain_start(UnixSeconds) override { return {}; }
  Result<std::int64_t> event_count() override {
    return static_cast<std::int64_t>(events_.size());
  }
  Result<std::int64_t> count_events_since(std::string_view event, std::string_view outcome,
                                          UnixSeconds since) override {
    return static_cast<std::int64_t>(
        std::count_if(events_.begin(), events_.end(), [&](const AuditEvent& stored) {
          return stored.time >= since && stored.event == event && stored.outcome == outcome;
        }));
  }
  Result<AuditPruning> prune_events(std::optional<UnixSeconds> older_than,
                                    std::optional<std::int64_t> keep_at_most,
                                    const AuditEvent& record) override {
    std::size_t cut = 0;
    if (older_than) {
      while (cut < events_.size() && events_[cut].time < *older_than) ++cut;
    }
    if (keep_at_most && static_cast<std::int64_t>(events_.size()) >= *keep_at_most) {
      cut = std::max(cut, events_.size() - static_cast<std::size_t>(std::max<std::int64_t>(
                                               *keep_at_most - 1, 0)));
    }
    if (cut == 0) return AuditPruning{};
    events_.erase(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(cut));
    AuditEvent described = record;
    described.target = std::to_string(cut) + " events";
    events_.push_back(described);
    AuditPruning pruning;
    pruning.removed = static_cast<std::int64_t>(cut);
    return pruning;
  }
  const std::vector<AuditEvent>& events() const { return events_; }

  // SettingsStore
  Result<std::optional<std::string>> get_setting(std::string_view key) override {
    auto it = settings_.find(std::string(key));
    if (it == settings_.end()) return std::optional<std::string>{};
    return std::optional<std::string>{it->second};
  }
  Result<std::string> put_setting_if_absent(std::string_view key,
                                            std::string_view value) override {
    return settings_.emplace(std::string(key), std::string(value)).first->second;
  }
  Result<bool> replace_setting_if(std::string_view key, std::string_view expected,
                                  std::string_view value) override {
    auto it = settings_.find(std::string(key));
    if (it == settings_.end() || it->second != expected) return false;
    it->second = std::string(value);
    return true;
  }
  Status ping() override { return {}; }

 private:
  template <typename Pred>
  Result<std::optional<User>> find_user(Pred pred) {
    for (const auto& user : users_) {
      if (pred(user)) return refresh(user);
    }
    return std::optional<User>{};
  }
  std::optional<User> refresh(const User& user) {
    User copy = user;
    copy.role = role_by_id(user.role.id);
    return copy;
  }
  User* user_by_id(std::int64_t id) {
    for (auto& user : users_) {
      if (user.id == id) return &user;
    }
    return nullptr;
  }
  Role role_by_id(std::int64_t id) {
    for (const auto& role : roles_) {
      if (role.id == id) return role;
    }
    return Role{};
  }
  static std::unexpected<Error> duplicate(const char* field) {
    Error error = Error::make(ErrorCode::kAlreadyExists, std::string(field) + " taken");
    error.fields.emplace(field, "already in use");
    return std::unexpected(std::move(error));
  }

  bool in_unit_ = false;
  std::int64_t next_id_ = 1;
  std::vector<Role> roles_;
  std::vector<User> users_;
  std::map<std::string, Session> sessions_;
  std::vector<TptRecord> tpts_;
  std::map<std::string, std::vector<UnixSeconds>> failures_;
  std::map<std::int64_t, std::pair<std::string, UnixSeconds>> failure_ids_;  // reservations
  std::vector<AuditEvent> events_;
  std::map<std::string, std::string> settings_;
  std::map<std::int64_t, PasswordState> password_states_;
  std::map<std::int64_t, std::vector<std::string>> password_history_;  // newest first
};

}  // namespace automation::testing
