#pragma once

// Files compiled into the binary (cmake/EmbedFiles.cmake).

#include <span>
#include <string_view>

namespace automation {

struct EmbeddedFile {
  std::string_view name;   // file name, e.g. "swagger-ui.css"
  std::string_view bytes;  // the file's content, as it was at build time
};

// Swagger UI's files from the npm package swagger-ui-dist plus our page and initializer
// (src/automation/http/docs/); the dist files are missing when the build did not find the
// package (scripts/install-deps.sh installs it).
std::span<const EmbeddedFile> docs_files();

// The web console (web/console/, built by Vite at build time): index.html and assets/<name
// with a content hash>; empty when the build was configured with AUTOMATION_CONSOLE=OFF.
std::span<const EmbeddedFile> console_files();

// The file called `name` among `files`; nullptr when there is none.
const EmbeddedFile* find_embedded_file(std::span<const EmbeddedFile> files, std::string_view name);

// The Content-Type to serve a file as, by its name's extension (octet-stream when unknown).
std::string_view content_type_of(std::string_view name);

// The login page's template and style sheet (src/automation/http/login/).
std::span<const EmbeddedFile> login_files();

}  // namespace automation
