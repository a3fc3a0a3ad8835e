#include "automation/directory/ldap_filter.hpp"

namespace automation::directory {

std::string escape_filter_value(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    // UTF-8 may pass as is (RFC 4515 allows it); escaping every non-ASCII byte is also valid
    // and leaves no room for a decoder to read something else.
    const bool plain = byte >= 0x20 && byte < 0x7f && c != '*' && c != '(' && c != ')' && c != '\\';
    if (plain) {
      out.push_back(c);
    } else {
      out.push_back('\\');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0f]);
    }
  }
  return out;
}

std::string expand_filter(std::string_view filter, std::string_view placeholder,
                          std::string_view value) {
  const std::string escaped = escape_filter_value(value);
  std::string out;
  std::size_t from = 0;
  while (true) {
    const std::size_t at = filter.find(placeholder, from);
    if (at == std::string_view::npos) break;
    out.append(filter.substr(from, at - from));
    out.append(escaped);
    from = at + placeholder.size();
  }
  out.append(filter.substr(from));
  return out;
}

}  // namespace automation::directory
