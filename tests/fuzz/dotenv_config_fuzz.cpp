// .env files and the configuration loaded from them.
//
// Input: the bytes of a .env file, written to a temp file (parse_dotenv reads a path).
// Invariants: no setting holds a NUL byte; a parsed file, written back as `export KEY="VALUE"` lines, parses to the same
// settings; load() gives the same answer whichever source (.env or flags) the settings
// come from, since with one source there is nothing to override.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "automation/config/loader.hpp"

#include "fuzz_invariant.hpp"

namespace {

using automation::fuzzing::invariant_broken;

namespace config = automation::config;

// One file per fuzzing process (libFuzzer's -jobs/-workers run several), removed at exit.
class ScratchFile {
 public:
  ScratchFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dotenv_fuzz_XXXXXX").string();
    const int fd = mkstemp(pattern.data());
    if (fd < 0) invariant_broken("cannot create a temp file");
    close(fd);
    path_ = pattern;
  }
  ~ScratchFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  const std::filesystem::path& write(const char* data, std::size_t size) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(data, static_cast<std::streamsize>(size));
    if (!out) invariant_broken("cannot write the temp file");
    return path_;
  }

 private:
  std::filesystem::path path_;
};

std::string to_dotenv(const config::Settings& settings) {
  std::string text;
  // Keys may begin with "export " themselves (from "export export K=V"): always prefix one.
  for (const auto& [key, value] : settings) text += "export " + key + "=\"" + value + "\"\n";
  return text;
}

bool same(const automation::Result<config::Config>& a, const automation::Result<config::Config>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return a.error().message == b.error().message;
  return a->server.port == b->server.port && a->server.host == b->server.host &&
         a->server.trusted_proxies == b->server.trusted_proxies &&
         a->database.file == b->database.file &&
         a->secrets.app_secret_key == b->secrets.app_secret_key &&
         a->core.session_ttl_seconds == b->core.session_ttl_seconds;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ScratchFile scratch;
  const auto settings = config::parse_dotenv(scratch.write(reinterpret_cast<const char*>(data), size));
  if (!settings) return 0;
  for (const auto& [key, value] : *settings) {
    // Values reach C APIs (inet_pton, file names), which would cut them at a NUL byte.
    if (key.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
      invariant_broken("a setting holds a NUL byte");
    }
  }

  const std::string rewritten = to_dotenv(*settings);
  const auto reparsed = config::parse_dotenv(scratch.write(rewritten.data(), rewritten.size()));
  if (!reparsed) invariant_broken("rewritten settings do not parse");
  if (*reparsed != *settings) invariant_broken("rewritten settings parse differently");

  const auto from_dotenv = config::load(config::Sources{*settings, {}, {}});
  const auto from_flags = config::load(config::Sources{{}, {}, *settings});
  if (!same(from_dotenv, from_flags)) invariant_broken("load depends on the source");
  return 0;
}
