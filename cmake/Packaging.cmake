# CPack: `cpack -G DEB` in a release build directory makes automation_<version>_<arch>.deb
# holding everything `cmake --install` installs (see Install.cmake), for prefix /usr.
# Library dependencies are computed by dpkg-shlibdeps; the maintainer scripts create the
# `automation` system user the unit runs as (packaging/debian/).
set(CPACK_PACKAGE_NAME automation)
set(CPACK_PACKAGE_VENDOR "automation")
set(CPACK_PACKAGE_CONTACT "automation maintainers <automation@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "users and authentication service for industrial automation (PyAutomation-compatible)")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Install with DESTDIR into the staging tree and CMAKE_INSTALL_PREFIX=/usr, so that the unit
# and settings file written at install time (cmake/InstallServiceFiles.cmake) name the real
# paths and land in /etc.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libautomation.so.0: a shlibs file (packaging/debian/triggers runs ldconfig).
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# useradd (passwd) in the maintainer scripts; time zone data for login times.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd, tzdata")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/conffiles
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/postrm
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/triggers)
include(CPack)
