# The project's version is the newest released version in CHANGELOG.md (the first heading
# "## [X.Y.Z] - date"; "## [Unreleased]" is skipped), so the binary's --version, the library's
# SONAME version and the Debian package follow the changelog. Included before project().
# Sets AUTOMATION_CHANGELOG_VERSION; editing the changelog reconfigures.
set(automation_changelog ${CMAKE_CURRENT_LIST_DIR}/../CHANGELOG.md)
file(STRINGS ${automation_changelog} automation_releases
     REGEX "^## \\[[0-9]+\\.[0-9]+\\.[0-9]+\\]")
if(NOT automation_releases)
  message(FATAL_ERROR "CHANGELOG.md has no released version (a heading '## [X.Y.Z] - date')")
endif()
list(GET automation_releases 0 automation_newest_release)
string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" AUTOMATION_CHANGELOG_VERSION
       "${automation_newest_release}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${automation_changelog})
