#pragma once

// QR codes as SVG, for the otpauth URI of an MFA enrollment (an authenticator app scans it).

#include <string>
#include <string_view>

#include "automation/core/error.hpp"

namespace automation::http {

// `text` as a QR code (libqrencode, byte mode, error correction level M) drawn as one SVG
// path of black modules on a white square with the standard 4-module quiet zone, one user
// unit per module (the viewBox scales it). kInvalidArgument when the text does not fit a QR
// code, kInternal when libqrencode fails otherwise.
Result<std::string> qr_svg(std::string_view text);

}  // namespace automation::http
