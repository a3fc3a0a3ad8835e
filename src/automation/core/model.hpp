#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace automation {

// Seconds since the Unix epoch (UTC). Time enters the core only through the Clock port.
using UnixSeconds = std::int64_t;

struct Role {
  std::int64_t id = 0;
  std::string identifier;
  std::string name;  // case preserved; compared case-insensitively
  int level = 0;     // lower = more privilege; 0 is sudo
};

struct User {
  std::int64_t id = 0;
  std::string identifier;
  std::string username;
  std::string email;
  std::string password_hash;  // never leaves the core/storage layers
  Role role;
  std::optional<std::string> name;
  std::optional<std::string> lastname;
};

// What a store needs to insert a user (id assigned by the store).
struct NewUser {
  std::string identifier;
  std::string username;
  std::string email;
  std::string password_hash;
  std::int64_t role_id = 0;
  std::optional<std::string> name;
  std::optional<std::string> lastname;
  // Recorded with the user, in the same transaction (password age and first-login change).
  UnixSeconds password_set_at = 0;  // 0 = no record
  bool must_change_password = false;
};

// Editable profile fields; nullopt = leave unchanged.
struct UserEdit {
  std::optional<std::string> email;
  std::optional<std::string> name;
  std::optional<std::string> lastname;
};

// Why a session may do nothing but change its own password or log out (IEC 62443-4-2
// CR 1.5, CR 1.7). Stored with the session, as an integer.
enum class PasswordChangeDemand : int {
  kNone = 0,
  kExpired = 1,   // the password is older than the maximum age
  kRequired = 2,  // set by someone else: the owner must choose their own
};

// How stale a session's recorded last use may be (IEC 62443-4-2 CR 2.5 asks for idle
// sessions to end; a write per request would slow every key check): a use is recorded once
// the recorded one is this old.
inline constexpr UnixSeconds kSessionUseResolution = 60;
// How often a server writes the uses it gathered to the database (SessionUseBuffer::flush).
inline constexpr UnixSeconds kSessionUseWriteInterval = 5;
// How far the last use the database holds may trail a session's real last use, on any
// server process: up to the resolution, plus the wait for the next write.
inline constexpr UnixSeconds kSessionUseLag = kSessionUseResolution + kSessionUseWriteInterval;

struct Session {
  std::string token_digest;  // hex SHA-256 of the API key; the key itself is never stored
  std::int64_t user_id = 0;
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;  // 0 = never
  // Public handle of the session (random hex) for listing and revoking it; unlike the key
  // or its digest it grants nothing, so it may be shown. Empty for sessions stored by a
  // version that did not assign one (the migration gives those one).
  std::string id;
  PasswordChangeDemand password_change = PasswordChangeDemand::kNone;
  // When the key was last presented, recorded at most once a minute (kSessionUseResolution)
  // and only while idle sessions end; 0 = not since creation.
  UnixSeconds last_used_at = 0;
  std::string client_address = {};  // where the login came from; "" when unknown
  // The login proved a second factor too (TOTP or recovery code), or the session confirmed an
  // MFA enrollment: what AUTOMATION_MFA_REQUIRED_LEVEL asks of sessions of the roles it covers.
  bool mfa_verified = false;

  UnixSeconds last_activity() const { return last_used_at > created_at ? last_used_at : created_at; }
  // True when the session has gone unused for `idle_limit` seconds (> 0; 0 = never idle) by
  // any count: its last recorded activity is idle_limit + kSessionUseLag old. Measuring from
  // the record alone would end a session whose uses were not recorded yet (a key used every
  // 5 s died at 60 s with a 60 s limit); so a session used more often than the limit never
  // ends, and one left unused ends at most kSessionUseLag after the limit.
  bool is_idle(UnixSeconds now, std::int64_t idle_limit) const {
    return idle_limit > 0 && now - last_activity() >= idle_limit + kSessionUseLag;
  }
};


// What may be shown of a session (CLI, API): never its key or the key's digest.
struct SessionSummary {
  std::string id;
  std::string username;
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;  // 0 = never
  // The last recorded use; 0 = none since the login (always while idle sessions do not end:
  // uses are recorded only where AUTOMATION_SESSION_IDLE_TIMEOUT is set).
  UnixSeconds last_used_at = 0;
  std::string client_address;
};

struct TptRecord {
  std::string jti;
  std::string role;
  std::string created_on;  // UTC "YYYY-MM-DD HH:MM:SS"
  std::optional<std::string> expires_on;
  std::optional<UnixSeconds> expires_at;
  std::string description;
  std::string created_by;
  bool revoked = false;
};

struct AuditEvent {
  UnixSeconds time = 0;
  std::string event;    // e.g. "login", "password_change"
  std::string actor;    // username, "tpt:<jti>" or "" when anonymous
  std::string target;   // username / role / jti acted on, or ""
  std::string address;  // client address, or "" / "cli"
  std::string outcome;  // "success", "failure", "denied" or "throttled"
  std::string reason;   // why it was denied or failed ("" on success); never a secret
};

// Which events a reader asks for: every field that is set must match (event, actor, target
// and outcome exactly; time within [since, until]); newest first, at most `limit`.
// (Every member has an initializer, so designated initializers may leave any out.)
struct AuditEventFilter {
  std::optional<UnixSeconds> since{};
  std::optional<UnixSeconds> until{};
  std::string event{};    // "" matches every event
  std::string actor{};    // "" matches every actor
  std::string target{};   // "" matches every target
  std::string outcome{};  // "" matches every outcome
  int limit = 100;
};

// Who is calling: a user through a session, or a third-party token acting with a role.
struct Principal {
  enum class Kind { kSession, kThirdPartyToken };
  Kind kind = Kind::kSession;
  std::optional<User> user;      // set for kSession
  Role role;                     // the acting role (user's role, or the TPT's role)
  std::string session_digest;    // set for kSession
  std::string session_id;        // kSession: the session's public id (Session::id)
  UnixSeconds session_created_at = 0;  // kSession: when the login happened (OIDC auth_time)
  bool mfa_verified = false;           // kSession: the login proved a second factor too
  PasswordChangeDemand password_change = PasswordChangeDemand::kNone;  // of the session
  // The session may only set up MFA (and log out, or change its own password): its role
  // requires MFA (AUTOMATION_MFA_REQUIRED_LEVEL) and the login had no second factor.
  bool mfa_enrollment_required = false;
  std::string jti;               // set for kThirdPartyToken

  // Name used in audit records: the username, or the token's jti (never the token itself).
  std::string audit_name() const { return user ? user->username : "tpt:" + jti; }
};

}  // namespace automation
