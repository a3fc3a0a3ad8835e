# Run at install time (install(CODE) in Install.cmake): writes the systemd unit and the
# example environment file for the prefix being installed to. /usr gets /etc, as the
# Filesystem Hierarchy Standard (and GNUInstallDirs) want; any other prefix its own etc/.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(sysconf_dir "/etc")
else()
  set(sysconf_dir "${CMAKE_INSTALL_PREFIX}/etc")
endif()
set(AUTOMATION_BINARY "${CMAKE_INSTALL_PREFIX}/${AUTOMATION_BINDIR}/automation")
set(AUTOMATION_ENV_FILE "${sysconf_dir}/automation/automation.env")
# (file(INSTALL) puts DESTDIR, when set, in front of these absolute destinations itself.)

set(unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
set(generated "${AUTOMATION_BINARY_DIR}/installed/automation.service")
configure_file("${AUTOMATION_SOURCE_DIR}/packaging/automation.service.in" "${generated}" @ONLY)
file(INSTALL "${generated}" DESTINATION "${unit_dir}"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
# It may hold secrets once edited: not world-readable (the package gives it to the
# service's group).
file(INSTALL "${AUTOMATION_SOURCE_DIR}/packaging/automation.env"
     DESTINATION "${sysconf_dir}/automation"
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
