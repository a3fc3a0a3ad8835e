#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace automation {

// ASCII-only case folding: role names, usernames and emails are compared this way
// (the same rule the database's lower() applies to ASCII, so both agree).
std::string to_lower_ascii(std::string_view text);
bool iequals_ascii(std::string_view a, std::string_view b);

// `text` without the leading and trailing characters of `blanks`.
std::string_view trim(std::string_view text, std::string_view blanks = " \t");
// Blanks around a settings file's values: such files may end lines with \r\n.
inline constexpr std::string_view kSettingBlanks = " \t\r";

// `text` percent-encoded for a URL's query (RFC 3986): every byte but the unreserved
// characters (letters, digits, - . _ ~) and those in `also_keep` becomes %HH (upper case).
std::string percent_encode(std::string_view text, std::string_view also_keep = {});

// True when text is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool is_valid_utf8(std::string_view text);

// Number of code points in well-formed UTF-8 text.
std::size_t utf8_length(std::string_view text);

// True when text contains a C0 control character or DEL (NUL included).
bool has_control_characters(std::string_view text);

// True when well-formed UTF-8 text contains a C1 control (U+0080..U+009F) or a bidirectional
// formatting character (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069): they make
// a name display as something else (right-to-left override) in HMIs and audit views.
bool has_invisible_controls(std::string_view text);

// `text` made safe to print on a terminal, one line per record: C0 controls (tab and newline
// included), DEL and bytes that are not UTF-8 become \xHH; C1 controls, the bidirectional
// formatting characters above and the line/paragraph separators U+2028/U+2029 become \uHHHH;
// a backslash becomes \\ (so the escaping can be told from text that looks like it). Every
// other character is kept, so ordinary names in any script read as they are. The one rule for
// every text output of the command-line tool and the text log; JSON output is JSON-escaped
// instead.
std::string escape_controls(std::string_view text);

// Appends "<byte length>:<field>\n": the framing of the sealed messages (audit chain MACs,
// signature seals), under which no two different field lists give the same bytes.
void append_length_prefixed(std::string& out, std::string_view field);

}  // namespace automation
