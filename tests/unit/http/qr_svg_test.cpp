#include "automation/http/qr_svg.hpp"

#include <gtest/gtest.h>

#include <string>

namespace automation::http {
namespace {

// An otpauth URI as long as an enrollment's (issuer and username of a few characters).
const std::string kUri =
    "otpauth://totp/automation:ana?secret=RBUSBRYVT76FFGJAUWAWGFEZVEB2PZDQ&issuer=automation"
    "&algorithm=SHA1&digits=6&period=30";

TEST(QrSvg, IsOneSquareSvgWithAQuietZone) {
  auto svg = qr_svg(kUri);
  ASSERT_TRUE(svg) << svg.error().message;
  EXPECT_TRUE(svg->starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "));
  EXPECT_TRUE(svg->ends_with("\"/></svg>"));
  // 121 bytes at level M need version 7 (106 fit version 6): 45 modules, plus 4 of quiet
  // zone on each side.
  ASSERT_EQ(kUri.size(), 121u);
  EXPECT_NE(svg->find("viewBox=\"0 0 53 53\""), std::string::npos) << *svg;
  // The finder pattern's top row: seven dark modules from the quiet zone's edge.
  EXPECT_NE(svg->find("M4 4h7v1h-7z"), std::string::npos);
  // Nothing of the text itself (no script, no entity) lands in the document.
  EXPECT_EQ(svg->find("otpauth"), std::string::npos);
}

TEST(QrSvg, TextBeyondAQrCodesCapacityIsRefused) {
  auto svg = qr_svg(std::string(5000, 'a'));
  ASSERT_FALSE(svg);
  EXPECT_EQ(svg.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace automation::http
