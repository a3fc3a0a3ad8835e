// escape_controls: the one rule for text the command-line tool prints.

#include "automation/core/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace automation {
namespace {

TEST(EscapeControls, OrdinaryTextInAnyScriptIsKept) {
  EXPECT_EQ(escape_controls(""), "");
  EXPECT_EQ(escape_controls("ana.maria_2 (operator) 10.0.0.1"), "ana.maria_2 (operator) 10.0.0.1");
  EXPECT_EQ(escape_controls("Zoë Ñandú Ελένη 山田 مريم"), "Zoë Ñandú Ελένη 山田 مريم");
}

TEST(EscapeControls, C0ControlsAndDelBecomeHexEscapes) {
  EXPECT_EQ(escape_controls("x\x1b[3A\x1b[J"), "x\\x1b[3A\\x1b[J");
  EXPECT_EQ(escape_controls("a\tb\nc\rd"), "a\\x09b\\x0ac\\x0dd");
  EXPECT_EQ(escape_controls(std::string("nul\0end", 7)), "nul\\x00end");
  EXPECT_EQ(escape_controls("del\x7f"), "del\\x7f");
}

TEST(EscapeControls, C1BidiAndLineSeparatorsBecomeCodePointEscapes) {
  EXPECT_EQ(escape_controls("\xc2\x9b" "31m"), "\\u009b31m") << "C1 CSI";
  EXPECT_EQ(escape_controls("evil\xe2\x80\xaetxt.exe"), "evil\\u202etxt.exe");
  EXPECT_EQ(escape_controls("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u2066x\\u2069");
  EXPECT_EQ(escape_controls("\xd8\x9c\xe2\x80\x8e\xe2\x80\x8f"), "\\u061c\\u200e\\u200f");
  EXPECT_EQ(escape_controls("a\xe2\x80\xa8" "b\xe2\x80\xa9"), "a\\u2028b\\u2029");
}

TEST(EscapeControls, BytesThatAreNotUtf8BecomeHexEscapes) {
  EXPECT_EQ(escape_controls("\x9b" "2J"), "\\x9b2J") << "a lone 8-bit CSI";
  EXPECT_EQ(escape_controls("\xc0\xaf"), "\\xc0\\xaf") << "overlong";
  EXPECT_EQ(escape_controls("ok\xe2\x80"), "ok\\xe2\\x80") << "truncated";
}

TEST(EscapeControls, ABackslashIsDoubledSoEscapesCannotBeForged) {
  EXPECT_EQ(escape_controls("\\x1b"), "\\\\x1b");
  EXPECT_NE(escape_controls("\\x1b"), escape_controls("\x1b"));
}

}  // namespace
}  // namespace automation
