#pragma once

// Store decorators that answer the hot lookups from the LookupCache and pass everything
// else (all writes included) straight to the SQL store. Correctness does not depend on
// these classes invalidating anything: the cache drops itself on any committed change.

#include <string_view>

#include "automation/core/ports.hpp"
#include "automation/storage/forwarding_session_store.hpp"
#include "automation/storage/lookup_cache.hpp"

namespace automation::storage {

class CachedSessionStore final : public ForwardingSessionStore {
 public:
  CachedSessionStore(SessionStore& inner, LookupCache& cache)
      : ForwardingSessionStore(inner), cache_(cache) {}
  Result<std::optional<ActiveSession>> find_session(std::string_view digest) override;

 private:
  LookupCache& cache_;
};

class CachedUserStore final : public UserStore {
 public:
  CachedUserStore(UserStore& inner, LookupCache& cache) : inner_(inner), cache_(cache) {}
  Result<User> add_user(const NewUser& user) override;
  Result<std::optional<User>> find_user_by_username(std::string_view username) override;
  Result<std::optional<User>> find_user_by_email(std::string_view email) override {
    return inner_.find_user_by_email(email);
  }
  Result<std::optional<User>> find_user_by_identifier(std::string_view identifier) override {
    return inner_.find_user_by_identifier(identifier);
  }
  Result<std::optional<User>> find_user_by_id(std::int64_t id) override {
    return inner_.find_user_by_id(id);
  }
  Result<UserPage> list_users(std::int64_t offset, std::int64_t limit) override {
    return inner_.list_users(offset, limit);
  }
  Result<UserPage> search_users(std::string_view text, std::int64_t offset,
                                std::int64_t limit) override {
    return inner_.search_users(text, offset, limit);
  }
  Result<std::optional<std::int64_t>> list_version() override {
    return cache_.list_version([this] { return inner_.list_version(); });
  }
  Result<User> update_profile(std::int64_t user_id, const UserEdit& edit) override {
    return inner_.update_profile(user_id, edit);
  }
  Status set_password_hash(std::int64_t user_id, std::string_view hash,
                           const SessionRevocation& revocation) override {
    return inner_.set_password_hash(user_id, hash, revocation);
  }
  Status set_user_role(std::int64_t user_id, std::int64_t role_id) override {
    return inner_.set_user_role(user_id, role_id);
  }
  Status delete_user(std::int64_t user_id) override { return inner_.delete_user(user_id); }

 private:
  UserStore& inner_;
  LookupCache& cache_;
};

class CachedRoleStore final : public RoleStore {
 public:
  CachedRoleStore(RoleStore& inner, LookupCache& cache) : inner_(inner), cache_(cache) {}
  Result<std::vector<Role>> list_roles() override { return inner_.list_roles(); }
  Result<std::optional<Role>> find_role(std::string_view name) override;
  Result<Role> add_role(const Role& role) override { return inner_.add_role(role); }

 private:
  RoleStore& inner_;
  LookupCache& cache_;
};

class CachedTptStore final : public TptStore {
 public:
  CachedTptStore(TptStore& inner, LookupCache& cache) : inner_(inner), cache_(cache) {}
  Status add_tpt(const TptRecord& record) override { return inner_.add_tpt(record); }
  Result<std::vector<TptRecord>> list_tpts() override { return inner_.list_tpts(); }
  Result<std::optional<TptRecord>> find_tpt(std::string_view jti) override;
  Status revoke_tpt(std::string_view jti) override { return inner_.revoke_tpt(jti); }

 private:
  TptStore& inner_;
  LookupCache& cache_;
};

}  // namespace automation::storage
