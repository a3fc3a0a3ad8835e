# Every dependency is a Debian package installed by scripts/install-deps.sh.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(LIBJWT REQUIRED IMPORTED_TARGET libjwt)
# Directory login (LDAP, Active Directory): OpenLDAP's client library (libldap-dev).
pkg_check_modules(LDAP REQUIRED IMPORTED_TARGET ldap)
# QR codes of MFA enrollments (the SVG is written by http/qr_svg.cpp from the bit matrix).
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)  # must precede RESTinio (Debian packaging quirk)
find_package(restinio CONFIG REQUIRED)
# Metrics: the core library (data model, text serializer) and pull (the exposer that serves
# AUTOMATION_METRICS=host:port on a listener of its own).
find_package(prometheus-cpp CONFIG REQUIRED COMPONENTS core pull)

# SOCI on Debian ships no CMake config: locate its headers and libraries directly.
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
find_library(SOCI_CORE_LIBRARY NAMES soci_core REQUIRED)
find_library(SOCI_SQLITE3_LIBRARY NAMES soci_sqlite3 REQUIRED)
find_library(SOCI_POSTGRESQL_LIBRARY NAMES soci_postgresql)
find_library(SOCI_MYSQL_LIBRARY NAMES soci_mysql)
# The MySQL backend's client library (Debian: libmariadb-dev); optional like libpq.
find_path(MARIADB_INCLUDE_DIR mysql.h PATH_SUFFIXES mariadb mysql)
find_library(MARIADB_CLIENT_LIBRARY NAMES mariadb mysqlclient)
add_library(soci_core_dep INTERFACE)
target_include_directories(soci_core_dep INTERFACE ${SOCI_INCLUDE_DIR})
target_link_libraries(soci_core_dep INTERFACE ${SOCI_SQLITE3_LIBRARY} ${SOCI_CORE_LIBRARY}
                                              SQLite::SQLite3 ${CMAKE_DL_LIBS})

# Howard Hinnant's date/tz (header-only part plus the compiled tz library).
find_package(date CONFIG QUIET)
if(NOT TARGET date::date-tz)
  find_library(DATE_TZ_LIBRARY NAMES date-tz REQUIRED)
  add_library(date_tz_dep INTERFACE)
  target_link_libraries(date_tz_dep INTERFACE ${DATE_TZ_LIBRARY})
  target_compile_definitions(date_tz_dep INTERFACE USE_OS_TZDB=1)
else()
  add_library(date_tz_dep INTERFACE)
  target_link_libraries(date_tz_dep INTERFACE date::date-tz)
endif()

if(AUTOMATION_BUILD_TESTS)
  find_package(GTest REQUIRED)
  find_package(CURL REQUIRED)
  include(GoogleTest)
endif()
