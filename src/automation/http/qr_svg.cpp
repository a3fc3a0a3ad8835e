#include "automation/http/qr_svg.hpp"

#include <qrencode.h>

#include <cerrno>
#include <memory>

namespace automation::http {

namespace {

constexpr int kQuietZone = 4;  // modules of white around the code (ISO/IEC 18004)

struct QrCodeDeleter {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

}  // namespace

Result<std::string> qr_svg(std::string_view text) {
  const std::string data(text);
  errno = 0;
  std::unique_ptr<QRcode, QrCodeDeleter> code(
      QRcode_encodeString8bit(data.c_str(), /*version=*/0, QR_ECLEVEL_M));
  if (!code) {
    if (errno == ERANGE) return fail(ErrorCode::kInvalidArgument, "too long for a QR code");
    return fail(ErrorCode::kInternal, "libqrencode could not encode the text");
  }
  const int width = code->width;
  const int size = width + 2 * kQuietZone;
  const std::string side = std::to_string(size);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + side + " " +
                    side + "\" shape-rendering=\"crispEdges\">"
                    "<rect width=\"" + side + "\" height=\"" + side + "\" fill=\"#fff\"/>"
                    "<path fill=\"#000\" d=\"";
  // One rectangle per horizontal run of dark modules (bit 0 of each byte: dark).
  for (int y = 0; y < width; ++y) {
    const unsigned char* row = code->data + static_cast<std::ptrdiff_t>(y) * width;
    for (int x = 0; x < width;) {
      if ((row[x] & 1U) == 0) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < width && (row[x + run] & 1U) != 0) ++run;
      svg += "M" + std::to_string(x + kQuietZone) + " " + std::to_string(y + kQuietZone) + "h" +
             std::to_string(run) + "v1h-" + std::to_string(run) + "z";
      x += run;
    }
  }
  svg += "\"/></svg>";
  return svg;
}

}  // namespace automation::http
