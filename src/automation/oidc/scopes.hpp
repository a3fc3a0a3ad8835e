#pragma once

// The scopes the provider knows (openid profile email roles offline_access). Others a client
// asks for are left out of the grant, as RFC 6749 §3.3 allows; the token answer says which
// were granted.

#include <string>
#include <string_view>

namespace automation::oidc {

struct Scopes {
  bool openid = false;
  bool profile = false;
  bool email = false;
  bool roles = false;
  bool offline_access = false;

  // The known scopes of a space-separated list.
  static Scopes parse(std::string_view text);
  // Space-separated, in a fixed order ("openid profile email roles offline_access").
  std::string text() const;
  // Every scope of `other` is here too (a refresh may narrow a grant, never widen it).
  bool covers(const Scopes& other) const;
};

}  // namespace automation::oidc
