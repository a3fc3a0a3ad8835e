#include "automation/core/oidc_clients.hpp"

#include <algorithm>
#include <utility>

#include "automation/core/login_throttle.hpp"

namespace automation {

namespace {

constexpr std::size_t kOidcClientNameMax = 64;
constexpr std::size_t kOidcUriMax = 2000;
// What an id or address adds to a throttle key at most: a client_id is 32 characters, so
// anything longer names no client, and a key stays bounded whatever a client sends.
constexpr std::size_t kOidcKeyPartMax = 64;
constexpr const char* kOidcClientRefusal = "Client authentication failed";
constexpr const char* kOidcClientThrottled = "Too many failed client authentications, try later";

bool is_oidc_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Equal digests, compared in time that depends only on their lengths.
bool oidc_digests_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return difference == 0;
}

Status check_oidc_uri_list(std::string_view field, std::vector<std::string>& uris) {
  std::vector<std::string> unique;
  for (std::string& uri : uris) {
    if (auto ok = OidcClientRegistry::check_redirect_uri(field, uri); !ok) return ok;
    if (std::find(unique.begin(), unique.end(), uri) == unique.end()) {
      unique.push_back(std::move(uri));
    }
  }
  uris = std::move(unique);
  return {};
}

std::string oidc_audit_target(const OidcClient& client) { return "oidc_client:" + client.name; }

}  // namespace

OidcClientRegistry::OidcClientRegistry(const Ports& ports, const CoreSettings& settings)
    : ports_(ports),
      pair_limit_(settings.login_max_failures),
      client_limit_(settings.account_max_failures),
      address_limit_(settings.address_max_failures),
      window_(settings.login_window_seconds) {}

Status OidcClientRegistry::check_redirect_uri(std::string_view field, std::string_view uri) {
  const std::string name(field);
  if (uri.empty()) return fail(Error::invalid(name, "a URI is empty"));
  if (uri.size() > kOidcUriMax) {
    return fail(Error::invalid(name, "a URI is longer than 2000 characters"));
  }
  for (char c : uri) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F) {
      return fail(Error::invalid(
          name, "a URI may hold printable ASCII only (no spaces; percent-encode the rest)"));
    }
  }
  std::string_view rest;
  if (uri.starts_with("https://")) {
    rest = uri.substr(8);
  } else if (uri.starts_with("http://")) {
    rest = uri.substr(7);
  } else {
    return fail(Error::invalid(name, "must be an absolute http:// or https:// URL"));
  }
  if (uri.find('#') != std::string_view::npos) {
    return fail(Error::invalid(name, "must not contain a fragment ('#')"));
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  if (authority.empty() || authority.front() == ':') {
    return fail(Error::invalid(name, "must name a host"));
  }
  if (authority.find('@') != std::string_view::npos) {
    return fail(Error::invalid(name, "must not contain user information ('@' before the host)"));
  }
  if (authority.find('\\') != std::string_view::npos) {
    return fail(Error::invalid(name, "must not contain a backslash in the host"));
  }
  return {};
}

bool OidcClientRegistry::redirect_uri_registered(const OidcClient& client, std::string_view uri) {
  return std::find(client.redirect_uris.begin(), client.redirect_uris.end(), uri) !=
         client.redirect_uris.end();
}

bool OidcClientRegistry::post_logout_uri_registered(const OidcClient& client,
                                                    std::string_view uri) {
  return std::find(client.post_logout_redirect_uris.begin(),
                   client.post_logout_redirect_uris.end(),
                   uri) != client.post_logout_redirect_uris.end();
}

Result<RegisteredClient> OidcClientRegistry::register_client(
    const OidcClientRegistration& registration, std::string_view actor, std::string_view address) {
  auto make = [&]() -> Result<RegisteredClient> {
    const std::string& name = registration.name;
    if (name.empty() || name.size() > kOidcClientNameMax ||
        !std::all_of(name.begin(), name.end(), is_oidc_name_char)) {
      return fail(Error::invalid("name", "must be 1-64 characters of A-Z a-z 0-9 . _ -"));
    }
    if (registration.is_public && registration.client_credentials) {
      return fail(Error::invalid(
          "grant", "a public client cannot use client_credentials (it holds no secret)"));
    }
    if (registration.id_token_alg != "RS256" && registration.id_token_alg != "ES256") {
      return fail(Error::invalid("id_token_alg", "must be RS256 or ES256"));
    }
    OidcClient client;
    client.name = name;
    client.id_token_alg = registration.id_token_alg;
    client.redirect_uris = registration.redirect_uris;
    client.post_logout_redirect_uris = registration.post_logout_redirect_uris;
    if (auto ok = check_oidc_uri_list("redirect_uri", client.redirect_uris); !ok) {
      return fail(ok.error());
    }
    if (auto ok = check_oidc_uri_list("post_logout_redirect_uri",
                                      client.post_logout_redirect_uris);
        !ok) {
      return fail(ok.error());
    }
    if (client.redirect_uris.empty() && !registration.client_credentials) {
      return fail(Error::invalid(
          "redirect_uri", "at least one is needed (unless the client only uses client_credentials)"));
    }
    client.is_public = registration.is_public;
    client.client_credentials = registration.client_credentials;
    client.client_id = ports_.random.random_hex(16);
    RegisteredClient registered;
    if (!client.is_public) {
      registered.secret = ports_.random.random_hex(32);
      client.secret_digest = ports_.digester.digest(registered.secret);
    }
    client.created_at = ports_.clock.now();
    client.created_by = std::string(actor);
    if (auto added = ports_.store.add_client(client); !added) return fail(added.error());
    registered.client = std::move(client);
    return registered;
  };
  return ports_.audited.run(make, [&](const Result<RegisteredClient>& result) {
    const std::string target = result ? oidc_audit_target(result->client)
                                      : "oidc_client:" + registration.name.substr(0, 64);
    Status status;
    if (!result) status = std::unexpected(result.error());
    return AuditRecord{"oidc_client_add", std::string(actor), target, std::string(address),
                       audit_outcome_of(status)};
  });
}

Result<std::vector<OidcClient>> OidcClientRegistry::list_clients() {
  return ports_.store.list_clients();
}

Result<std::optional<OidcClient>> OidcClientRegistry::find_client(std::string_view client_id) {
  return ports_.store.find_client(client_id);
}

Result<OidcClient> OidcClientRegistry::remove_client(std::string_view client_id_or_name,
                                                     std::string_view actor,
                                                     std::string_view address) {
  auto remove = [&]() -> Result<OidcClient> {
    auto found = ports_.store.find_client(client_id_or_name);
    if (!found) return fail(found.error());
    if (!*found) {
      found = ports_.store.find_client_by_name(client_id_or_name);
      if (!found) return fail(found.error());
    }
    if (!*found) return fail(ErrorCode::kNotFound, "No OIDC client has this id or name");
    if (auto removed = ports_.store.remove_client((*found)->client_id); !removed) {
      return fail(removed.error());
    }
    return std::move(**found);
  };
  return ports_.audited.run(remove, [&](const Result<OidcClient>& result) {
    const std::string target = result ? oidc_audit_target(*result)
                                      : "oidc_client:" + std::string(client_id_or_name.substr(0, 64));
    Status status;
    if (!result) status = std::unexpected(result.error());
    return AuditRecord{"oidc_client_remove", std::string(actor), target, std::string(address),
                       audit_outcome_of(status)};
  });
}

std::vector<ThrottleLimit> OidcClientRegistry::limits_of(std::string_view client_id,
                                                          std::string_view address) const {
  const std::string client_key = "oidc_client:" + std::string(client_id.substr(0, kOidcKeyPartMax));
  const std::string address_part(address.substr(0, kOidcKeyPartMax));
  // "|" never occurs in an address, so the pair key is unambiguous.
  std::vector<ThrottleLimit> limits{{client_key + "|address:" + address_part, pair_limit_},
                                    {client_key, client_limit_}};
  if (!address.empty()) limits.push_back({"oidc_address:" + address_part, address_limit_});
  return limits;
}

Status OidcClientRegistry::check_open(const std::vector<ThrottleLimit>& limits, UnixSeconds now) {
  for (const ThrottleLimit& limit : limits) {
    if (limit.limit <= 0) continue;
    auto window = ports_.throttle.failures_since(limit.key, now - window_ + 1);
    if (!window) return fail(window.error());
    if (window->count >= limit.limit) {
      return fail(throttled_error(kOidcClientThrottled, window->oldest, window_, now));
    }
  }
  return {};
}

Status OidcClientRegistry::count_failure(const std::vector<ThrottleLimit>& limits,
                                         UnixSeconds now) {
  // The failure stays counted: nothing ever releases it.
  auto counted = reserve_throttled_attempt(ports_.throttle, limits, now, window_,
                                           kOidcClientThrottled);
  if (!counted) return fail(counted.error());
  return {};
}

Error OidcClientRegistry::refuse(std::string_view client_id, std::string_view address,
                                 const Error& error, std::string_view reason) {
  const bool throttled = error.code == ErrorCode::kThrottled;
  const bool refused_client = throttled || error.code == ErrorCode::kUnauthenticated;
  // A store failure is not the client's doing: it answers as it is, unaudited as a refusal.
  if (!refused_client) return error;
  (void)ports_.audit.record("oidc_client_auth", "",
                            "oidc_client:" + std::string(client_id.substr(0, kOidcKeyPartMax)),
                            address, throttled ? "throttled" : "failure",
                            throttled ? std::string_view(error.message) : reason);
  if (throttled) return error;
  Error refusal = Error::make(ErrorCode::kUnauthenticated, kOidcClientRefusal);
  refusal.type = std::string(kOidcInvalidClient);
  return refusal;
}

Result<OidcClient> OidcClientRegistry::authenticate_client(
    std::string_view client_id, std::optional<std::string_view> presented_secret,
    std::string_view client_address) {
  const UnixSeconds now = ports_.clock.now();
  const std::vector<ThrottleLimit> limits = limits_of(client_id, client_address);
  const Error unauthenticated = Error::make(ErrorCode::kUnauthenticated, kOidcClientRefusal);
  if (auto open = check_open(limits, now); !open) {
    return fail(refuse(client_id, client_address, open.error(), ""));
  }
  auto found = client_id.empty() ? Result<std::optional<OidcClient>>(std::optional<OidcClient>())
                                 : ports_.store.find_client(client_id);
  if (!found) return fail(found.error());
  // A guess that counts: an unknown client, or a confidential client's wrong secret.
  auto counted_refusal = [&](std::string_view reason) -> Error {
    if (auto counted = count_failure(limits, now); !counted) {
      return refuse(client_id, client_address, counted.error(), reason);
    }
    return refuse(client_id, client_address, unauthenticated, reason);
  };
  if (!*found) return fail(counted_refusal("unknown client"));
  OidcClient& client = **found;
  if (client.is_public) {
    if (presented_secret) {
      return fail(refuse(client_id, client_address, unauthenticated,
                         "a public client presented a secret"));
    }
    return std::move(client);
  }
  if (!presented_secret) {
    return fail(refuse(client_id, client_address, unauthenticated, "no client secret"));
  }
  const std::string presented_digest = ports_.digester.digest(*presented_secret);
  if (client.secret_digest.empty() || !oidc_digests_equal(presented_digest, client.secret_digest)) {
    return fail(counted_refusal("wrong client secret"));
  }
  return std::move(client);
}

}  // namespace automation
