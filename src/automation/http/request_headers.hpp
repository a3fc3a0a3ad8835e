#pragma once

// The header fields of a request, looked up by name when a handler asks. The server points
// them at the wire request's own header block (valid while the request lives, which the
// server guarantees for the handler's run), so nothing is copied per request; requests built
// in code (tests, tools) carry a list of their own instead.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace automation::http {

class RequestHeaders {
 public:
  // The first value of the field `name` (compared ASCII case-insensitively) in `source`.
  using Lookup = std::optional<std::string_view> (*)(const void* source, std::string_view name);

  RequestHeaders() = default;
  // Fields read from `source` through `lookup`; `source` must outlive every lookup.
  RequestHeaders(const void* source, Lookup lookup) : source_(source), lookup_(lookup) {}

  // Adds a field to a request built in code (looked up after the source's, if any).
  void add(std::string name, std::string value) {
    own_.emplace_back(std::move(name), std::move(value));
  }

  // The value of the first field named `name` (ASCII case-insensitive), as sent; nullopt
  // when the request has none.
  std::optional<std::string_view> find(std::string_view name) const;

 private:
  const void* source_ = nullptr;
  Lookup lookup_ = nullptr;
  std::vector<std::pair<std::string, std::string>> own_;
};

}  // namespace automation::http
