#pragma once

// Matches a request (method + raw path) against the routes: one matcher serves both the
// dispatch and the 404/405 answers, so they can never disagree. Paths are compared segment
// by segment after percent-decoding, case-sensitively, one trailing '/' ignored; a `:name`
// segment matches any non-empty segment that is not a reserved word, so every path has
// exactly one meaning (SPEC §3).

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "automation/http/http_message.hpp"
#include "automation/http/routes.hpp"

namespace automation::http {

struct RouteMatch {
  const Route* route = nullptr;  // the route to run; nullptr when none takes the request
  std::size_t index = 0;         // route's position in routes()
  std::vector<std::string> parameters;  // the decoded `:name` segments of the matched route
  std::string allow;             // route == nullptr: "GET, PUT" if the path is known, else ""
};

class RouteTable {
 public:
  explicit RouteTable(std::vector<Route> routes);

  // `method` is nullopt for methods the API knows no name for (TRACE, CONNECT, ...): then 405
  // or 404, as for a known method no route of the path uses.
  RouteMatch match(std::optional<Method> method, std::string_view raw_path) const;

  // Every route, in the order given to the constructor.
  std::span<const Route> routes() const { return routes_; }

  // The answer to an unmatched request: 405 with Allow when match.allow is set, else 404.
  static Response unmatched_response(const RouteMatch& match);

 private:
  struct Entry {
    std::vector<std::string> segments;  // ":name" marks a parameter
    std::vector<bool> is_parameter;     // per segment
  };
  std::vector<Route> routes_;
  std::vector<Entry> entries_;  // entries_[i] is the parsed pattern of routes_[i]
};

}  // namespace automation::http
