# cmake -DDIRECTORY=<dir> -DOUTPUT=<cpp> -DFUNCTION=<name> -P EmbedDirectory.cmake
# Embeds every file under DIRECTORY (names relative to it, e.g. "assets/index-3f2a.js") with
# automation_embed_files, at build time: for the web console, whose file names carry content
# hashes only Vite's build knows. A directory without index.html is an error, never an empty
# console.
include("${CMAKE_CURRENT_LIST_DIR}/EmbedFiles.cmake")
if(NOT EXISTS "${DIRECTORY}/index.html")
  message(FATAL_ERROR "EmbedDirectory: ${DIRECTORY}/index.html is missing (the build made no console)")
endif()
file(GLOB_RECURSE paths LIST_DIRECTORIES false RELATIVE "${DIRECTORY}" "${DIRECTORY}/*")
list(SORT paths)
set(entries "")
set(digests "")
foreach(name IN LISTS paths)
  list(APPEND entries "${name}=${DIRECTORY}/${name}")
  file(SHA256 "${DIRECTORY}/${name}" digest)
  string(APPEND digests "${name}:${digest};")
endforeach()
string(SHA256 stamp "${digests}")
automation_embed_files(OUTPUT "${OUTPUT}" FUNCTION "${FUNCTION}" STAMP "${stamp}" FILES ${entries})
