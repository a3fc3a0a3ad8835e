#pragma once

// Ports: the interfaces the core owns and the outer layers implement
// (storage/ for the stores, crypto/ for hashing, tokens and JWT, app/ for clock and randomness).
// Every store method is one transaction (or one step of a UnitOfWork); failures are typed (kAlreadyExists from the
// driver's unique-violation code, kUnavailable when the database cannot be reached).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "automation/core/error.hpp"
#include "automation/core/model.hpp"

namespace automation {

class RoleStore {
 public:
  virtual ~RoleStore() = default;
  // All roles, in the order they were created (as upstream lists them).
  virtual Result<std::vector<Role>> list_roles() = 0;
  // Case-insensitive lookup by name.
  virtual Result<std::optional<Role>> find_role(std::string_view name) = 0;
  // Inserts; kAlreadyExists when the (case-insensitive) name is taken. Returns the stored role.
  virtual Result<Role> add_role(const Role& role) = 0;
};

struct UserPage {
  std::vector<User> users;
  std::int64_t total = 0;  // all matching users, not just this page
  // UserStore::list_version() of the snapshot the page was read from, when the store tells.
  std::optional<std::int64_t> version;
};

// Which sessions to end together with a password change, in the same transaction.
struct SessionRevocation {
  bool revoke = false;
  std::string keep_digest;  // the session that made the change survives ("" = none)
};

class UserStore {
 public:
  virtual ~UserStore() = default;
  // kAlreadyExists (field "username" or "email") when either is taken, case-insensitively.
  virtual Result<User> add_user(const NewUser& user) = 0;
  virtual Result<std::optional<User>> find_user_by_username(std::string_view username) = 0;
  virtual Result<std::optional<User>> find_user_by_email(std::string_view email) = 0;
  virtual Result<std::optional<User>> find_user_by_identifier(std::string_view identifier) = 0;
  virtual Result<std::optional<User>> find_user_by_id(std::int64_t id) = 0;
  // Users whose role level is > 0 (sudo left out), ordered by id; limit <= 0 means all.
  virtual Result<UserPage> list_users(std::int64_t offset, std::int64_t limit) = 0;
  // The users list_users lists whose username, email, name or lastname contains `text`
  // (ASCII letters in any case; `text` is matched literally: no wildcards), ordered by id,
  // `offset` skipped, at most `limit` (> 0); total counts every match.
  virtual Result<UserPage> search_users(std::string_view text, std::int64_t offset,
                                        std::int64_t limit) = 0;
  // A number that moves whenever what list_users answers may change (a user added, removed or
  // edited, a role added, changed or removed), by any writer; equal numbers mean equal lists.
  // nullopt when the store cannot tell: then nothing derived from a list may be kept.
  virtual Result<std::optional<std::int64_t>> list_version() {
    return std::optional<std::int64_t>();
  }
  // Applies the set fields; kAlreadyExists (field "email") on a taken email.
  virtual Result<User> update_profile(std::int64_t user_id, const UserEdit& edit) = 0;
  // With revocation.revoke, the user's other sessions end and so do all of the user's OpenID
  // Connect refresh tokens (those of the kept session too), in the same transaction.
  virtual Status set_password_hash(std::int64_t user_id, std::string_view hash,
                                   const SessionRevocation& revocation) = 0;
  // Sets the user's role. When the role actually changes, the user's OpenID Connect refresh
  // tokens end in the same transaction (the roles they would carry are stale); sessions stay.
  virtual Status set_user_role(std::int64_t user_id, std::int64_t role_id) = 0;
  // Deletes the user and all their sessions (and with them anything bound to the user or a
  // session: OpenID Connect codes and refresh tokens, by the database's foreign keys).
  virtual Status delete_user(std::int64_t user_id) = 0;
};

// When the user's password was set and whether its owner must change it.
struct PasswordState {
  UnixSeconds set_at = 0;
  bool must_change = false;
};

// A password replacement, stored in one transaction with everything that goes with it.
struct PasswordUpdate {
  std::string hash;
  UnixSeconds set_at = 0;
  bool must_change = false;
  // Previous hashes to remember (the replaced one becomes the newest); older ones are
  // deleted, and with 0 none are kept.
  int history_depth = 0;
  // Other sessions to end (and every OpenID Connect refresh token of the user); the kept
  // session's password-change demand is lifted.
  SessionRevocation revocation;
};

// Password age, first-login changes and the history of previous hashes (tables of the
// service's own: PyAutomation's users table stays as upstream creates it).
class PasswordStore {
 public:
  virtual ~PasswordStore() = default;
  // A user without a record counts as having set the password when these records began
  // (schema migration 8), with no change demanded.
  virtual Result<PasswordState> password_state(std::int64_t user_id) = 0;
  // The hashes of the user's previous passwords, newest first, at most `limit`.
  virtual Result<std::vector<std::string>> previous_password_hashes(std::int64_t user_id,
                                                                    int limit) = 0;
  // Replaces the hash (kNotFound for an unknown user), moving the old one into the history.
  virtual Status replace_password(std::int64_t user_id, const PasswordUpdate& update) = 0;
};

struct ActiveSession {
  Session session;
  User user;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual Status add_session(const Session& session) = 0;
  // Adds the session and, in the same transaction, ends the user's oldest other sessions
  // so at most max_per_user remain (concurrent session control). max_per_user >= 1.
  virtual Status add_session_within_limit(const Session& session, int max_per_user) = 0;
  // The session with this digest joined with its user and role, if any (expiry not checked).
  // A cached answer may be behind on last_used_at only: recording a use drops no cache.
  virtual Result<std::optional<ActiveSession>> find_session(std::string_view digest) = 0;
  // The same, read from the database itself (before ending a session as idle).
  virtual Result<std::optional<ActiveSession>> reread_session(std::string_view digest) = 0;
  // Deleting a session (here, by delete_user_sessions, by the concurrency limit or as expired)
  // also ends the OpenID Connect codes and refresh tokens issued under it (foreign keys).
  virtual Status delete_session(std::string_view digest) = 0;
  // The user's sessions that have not expired at `now` (expires_at 0 or after now), oldest
  // first (by created_at, then id).
  virtual Result<std::vector<Session>> list_user_sessions(std::int64_t user_id,
                                                          UnixSeconds now) = 0;
  // The session with this public id (expiry not checked).
  virtual Result<std::optional<Session>> find_session_by_id(std::string_view session_id) = 0;
  virtual Status delete_user_sessions(std::int64_t user_id) = 0;
  // Housekeeping: removes sessions with 0 < expires_at <= now.
  virtual Status delete_expired_sessions(UnixSeconds now) = 0;
  // Records that the session was used at `now` (only ever moves last_used_at forward).
  virtual Status record_session_use(std::string_view digest, UnixSeconds now) = 0;
};

class TptStore {
 public:
  virtual ~TptStore() = default;
  virtual Status add_tpt(const TptRecord& record) = 0;
  virtual Result<std::vector<TptRecord>> list_tpts() = 0;
  virtual Result<std::optional<TptRecord>> find_tpt(std::string_view jti) = 0;
  // Marks revoked; kNotFound when no such jti.
  virtual Status revoke_tpt(std::string_view jti) = 0;
};

struct FailureWindow {
  int count = 0;
  UnixSeconds oldest = 0;  // time of the oldest failure counted (0 when count == 0)
};

// One limit a password attempt must respect: fewer than `limit` failures of `key` in the window.
struct ThrottleLimit {
  std::string key;
  int limit = 0;  // <= 0: not limited (and not counted)
};

// The answer to a reservation: either the attempt may run (and provisional failure rows were
// written for it), or a limit is full.
struct AttemptReservation {
  bool granted = false;
  std::vector<std::int64_t> failure_ids;  // granted: one provisional failure per limited key
  UnixSeconds oldest_blocking = 0;        // refused: oldest failure of the full key's window
};

// Password-attempt counters, shared by every process on the database.
class ThrottleStore {
 public:
  virtual ~ThrottleStore() = default;
  // Atomically (across threads and processes): when every limited key has fewer than its
  // limit of failures at or after `since`, records one failure at `now` for each of them and
  // grants the attempt; otherwise writes nothing and refuses. Checking and counting in one
  // step is what keeps the limit exact however many attempts run at once.
  virtual Result<AttemptReservation> reserve_attempt(const std::vector<ThrottleLimit>& limits,
                                                     UnixSeconds now, UnixSeconds since) = 0;
  // Takes back the provisional failures of an attempt that succeeded and forgets every
  // failure of `reset_key` (the count a success resets), in one transaction.
  virtual Status release_attempt(const std::vector<std::int64_t>& failure_ids,
                                 std::string_view reset_key) = 0;
  // Failures recorded for key at or after `since`.
  virtual Result<FailureWindow> failures_since(std::string_view key, UnixSeconds since) = 0;
  // Deletes the failures of key and of every key that starts with key + "|" (an account's
  // per-address pairs); returns how many went.
  virtual Result<std::int64_t> clear_failures(std::string_view key) = 0;
  // How many keys that start with `prefix` and contain no "|" (an account's own count, not
  // its per-address pairs) have at least `limit` failures at or after `since`.
  virtual Result<std::int64_t> count_keys_at_limit(std::string_view prefix, int limit,
                                                   UnixSeconds since) = 0;
};

// Computes a keyed MAC over a message (the audit chain's HMAC-SHA-256); the key never
// leaves the implementation.
class MessageAuthenticator {
 public:
  virtual ~MessageAuthenticator() = default;
  // Lowercase hex.
  virtual std::string mac_hex(std::string_view message) const = 0;
};

// Where the chain of audit events stands (see audit_chain.hpp).
struct AuditChainState {
  std::int64_t anchor_seq = 0;    // events up to here were pruned (0: none)
  std::string anchor_mac;         // MAC of the last pruned event ("" at the chain's start)
  std::int64_t head_seq = 0;      // the newest event's sequence number (0: none yet)
  std::string head_mac;           // and its MAC
  std::int64_t chain_start_id = 0;  // rows with a lower id predate the chain (not covered)
  // The seq of the sealed record of the chain's start (0: none written): tells
  // seal_chain_start it has been done; verification reads the record itself, never this.
  std::int64_t start_seq = 0;
};

// One stored audit row with its chain values. seq is nullopt for a row nobody sealed
// (recorded before chaining began, or inserted behind the service's back).
struct ChainedAuditEvent {
  std::int64_t id = 0;
  std::optional<std::int64_t> seq;
  std::string mac;
  // The MAC this event chains to, as stored beside it ("" when unknown): what verification
  // links to across events that retention removed. Its own MAC proves it.
  std::string prev_mac;
  AuditEvent event;
};

// What a retention run removed.
struct AuditPruning {
  std::int64_t removed = 0;        // rows deleted
  std::int64_t through_seq = 0;    // the chain's new anchor (0 when it did not move)
  // Sealed refusals removed after the new anchor, as ranges of seq (what the record of the
  // pruning lists, so verification tells them from a deletion).
  std::vector<std::pair<std::int64_t, std::int64_t>> removed_seqs;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // Appends the event sealed into the chain: seq = head + 1, mac over the previous MAC and
  // the event as stored, in one transaction that also moves the head.
  virtual Status append_event(const AuditEvent& event) = 0;
  // The events `filter` keeps, newest first.
  virtual Result<std::vector<AuditEvent>> recent_events(const AuditEventFilter& filter) = 0;
  virtual Result<AuditChainState> chain_state() = 0;
  // Sealed rows in chain order (seq, then id) after the position (after_seq, after_id);
  // at most limit.
  virtual Result<std::vector<ChainedAuditEvent>> chained_events(std::int64_t after_seq,
                                                                std::int64_t after_id,
                                                                int limit) = 0;
  // The first row at or after from_id that carries no seal, if any.
  virtual Result<std::optional<ChainedAuditEvent>> first_unsealed_from(std::int64_t from_id) = 0;
  // How many rows carry no seal.
  virtual Result<std::int64_t> unsealed_event_count() = 0;
  // Once per chain (the service calls it at every start): appends chain_start_record with
  // the chain's start and the number of rows without a seal (recorded before the chain
  // began; 0 in a database made by this version), sealed, so verification need not take
  // either from the writable chain row. Nothing happens once that record was written, or
  // once the chain was pruned (no unsealed row may remain then).
  virtual Status seal_chain_start(UnixSeconds now) = 0;
  virtual Result<std::int64_t> event_count() = 0;
  // Rows of `event` with `outcome` whose time is at or after `since` (a refusal repeated
  // within a window is one row carrying its count: RepeatedRefusals).
  virtual Result<std::int64_t> count_events_since(std::string_view event,
                                                  std::string_view outcome,
                                                  UnixSeconds since) = 0;
  // Deletes the events older than `older_than` (when set) and, while more than `keep_at_most`
  // remain (when set), refusals first (every outcome but success, and rows from before the
  // chain), oldest first, then the oldest changes; moves the chain's anchor past the oldest
  // that remains, and appends `record` (sealed, its target filled in with what went:
  // pruning_target) in the same transaction, so a pruning is never unaudited. Nothing happens
  // (and nothing is appended) when no row qualifies.
  virtual Result<AuditPruning> prune_events(std::optional<UnixSeconds> older_than,
                                            std::optional<std::int64_t> keep_at_most,
                                            const AuditEvent& record) = 0;
};

class SettingsStore {
 public:
  virtual ~SettingsStore() = default;
  virtual Result<std::optional<std::string>> get_setting(std::string_view key) = 0;
  // Stores value unless key exists; returns the value now stored (first writer wins,
  // so processes racing at first start agree).
  virtual Result<std::string> put_setting_if_absent(std::string_view key,
                                                    std::string_view value) = 0;
  // Compare-and-set: stores `value` if `key` still holds `expected`, in one
  // transaction; true when it did, false when the key holds something else or is absent
  // (another writer came first: read again and retry). For values that change (the OIDC
  // signing key ring at a rotation).
  virtual Result<bool> replace_setting_if(std::string_view key, std::string_view expected,
                                          std::string_view value) = 0;
  // Cheap round trip proving the database answers.
  virtual Status ping() = 0;
};

struct PasswordCheck {
  bool matches = false;
  bool needs_rehash = false;  // matches, but stored in a legacy/weaker form
};

class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;
  // A new hash (Argon2id PHC string) with the configured parameters.
  virtual Result<std::string> hash(std::string_view password) = 0;
  // Malformed, unsupported or empty stored hashes never match, and cost as much as a real
  // verification (the core checks unknown users against "" so timing does not tell).
  // Constant-time comparison.
  virtual PasswordCheck verify(std::string_view password, std::string_view stored) = 0;
};

// Judges a password against a dictionary of known and guessable words (cracklib).
class PasswordDictionary {
 public:
  virtual ~PasswordDictionary() = default;
  // Why the password is weak, or nullopt when it passes. `username` is checked against too.
  virtual std::optional<std::string> weakness(std::string_view password,
                                              std::string_view username) = 0;
};

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // n bytes from a CSPRNG, lowercase-hex encoded (2n characters).
  virtual std::string random_hex(std::size_t n_bytes) = 0;
};

class TokenDigester {
 public:
  virtual ~TokenDigester() = default;
  // Lowercase hex SHA-256 of the token.
  virtual std::string digest(std::string_view token) = 0;
};

struct TptClaims {
  std::string role;
  std::string created_on;  // UTC "YYYY-MM-DD HH:MM:SS"
  UnixSeconds iat = 0;
  std::string jti;
  std::optional<UnixSeconds> exp;
};

class JwtCodec {
 public:
  virtual ~JwtCodec() = default;
  virtual Result<std::string> sign(const TptClaims& claims, std::string_view secret) = 0;
  // Accepts HS256 only and checks the signature; kUnauthenticated otherwise.
  // Expiry and revocation are the caller's business (they need the Clock and the store).
  virtual Result<TptClaims> verify(std::string_view token, std::string_view secret) = 0;
};

// Makes several store writes one change, committed together or not at all: how a security
// change and its audit event stand or fall together (IEC 62443-4-2 CR 2.10).
class UnitOfWork {
 public:
  virtual ~UnitOfWork() = default;
  // Runs work(); the store writes it makes (ThrottleStore's attempt counts excepted: they
  // stand regardless) commit when it succeeds and are undone when it fails or the commit
  // does. A store call that fails inside undoes only its own writes, as it would alone.
  // Slow work done before the first write (a KDF) holds no write lock; keep it there.
  virtual Status run(const std::function<Status()>& work) = 0;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixSeconds now() = 0;
};

}  // namespace automation
