#pragma once

// Building LDAP search filters from templates and untrusted values (RFC 4515).

#include <string>
#include <string_view>

namespace automation::directory {

// `value` safe inside a filter's assertion value: '*', '(', ')', '\' and NUL (and every byte
// outside printable ASCII) become \XX, so a username such as "*)(uid=*" matches only itself.
std::string escape_filter_value(std::string_view value);

// `filter` with every `placeholder` ("{username}", "{dn}") replaced by the escaped `value`.
std::string expand_filter(std::string_view filter, std::string_view placeholder,
                          std::string_view value);

}  // namespace automation::directory
