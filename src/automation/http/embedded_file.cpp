#include "automation/http/embedded_file.hpp"

#include <algorithm>

namespace automation {

const EmbeddedFile* find_embedded_file(std::span<const EmbeddedFile> files,
                                       std::string_view name) {
  const auto found = std::find_if(files.begin(), files.end(),
                                  [name](const EmbeddedFile& file) { return file.name == name; });
  return found == files.end() ? nullptr : &*found;
}

std::string_view content_type_of(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".png")) return "image/png";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

}  // namespace automation
