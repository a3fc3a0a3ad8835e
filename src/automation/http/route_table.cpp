#include "automation/http/route_table.hpp"

#include <array>
#include <utility>

#include "automation/core/validation.hpp"
#include "automation/http/json_views.hpp"
#include "automation/http/request_parsing.hpp"

namespace automation::http {
namespace {

// Splits "/a/b/" into {"a", "b"}; false when the path does not start with '/'.
bool split_path(std::string_view path, std::vector<std::string_view>& segments) {
  if (path.empty() || path.front() != '/') return false;
  path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return true;
  for (;;) {
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace

RouteTable::RouteTable(std::vector<Route> routes) : routes_(std::move(routes)) {
  entries_.reserve(routes_.size());
  for (const auto& route : routes_) {
    Entry entry;
    std::vector<std::string_view> segments;
    split_path(route.pattern, segments);
    for (std::size_t i = 0; i < segments.size(); ++i) {
      entry.is_parameter.push_back(segments[i].starts_with(':'));
      entry.segments.emplace_back(segments[i]);
    }
    entries_.push_back(std::move(entry));
  }
}

RouteMatch RouteTable::match(std::optional<Method> method, std::string_view raw_path) const {
  RouteMatch result;
  std::vector<std::string_view> raw_segments;
  if (!split_path(raw_path, raw_segments)) return result;
  std::vector<std::string> segments;
  segments.reserve(raw_segments.size());
  for (const auto raw : raw_segments) {
    auto decoded = percent_decode(raw, /*plus_is_space=*/false);
    if (!decoded) return result;  // a bad escape names no resource
    segments.push_back(std::move(*decoded));
  }
  std::array<bool, kMethodCount> allowed{};
  for (std::size_t index = 0; index < entries_.size(); ++index) {
    const Entry& entry = entries_[index];
    const Route& route = routes_[index];
    if (entry.segments.size() != segments.size()) continue;
    bool matches = true;
    for (std::size_t i = 0; i < segments.size() && matches; ++i) {
      if (entry.is_parameter[i]) {
        matches = !segments[i].empty() && !is_reserved_word(segments[i]);
      } else {
        matches = entry.segments[i] == segments[i];
      }
    }
    if (!matches) continue;
    if (method && route.method == *method) {
      result.route = &route;
      result.index = index;
      for (std::size_t i = 0; i < segments.size(); ++i) {
        if (entry.is_parameter[i]) result.parameters.push_back(std::move(segments[i]));
      }
      return result;
    }
    allowed[static_cast<std::size_t>(route.method)] = true;
  }
  for (std::size_t index = 0; index < kMethodCount; ++index) {
    if (!allowed[index]) continue;
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += to_string(static_cast<Method>(index));
  }
  return result;
}

Response RouteTable::unmatched_response(const RouteMatch& match) {
  if (match.allow.empty()) return message_response(404, "Not found");
  Response response = message_response(405, "Method not allowed");
  response.allow = match.allow;
  return response;
}

}  // namespace automation::http
