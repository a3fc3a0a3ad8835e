# What `cmake --install` puts where (docs/install.md):
#   bin/automation                         the server and command-line tool
#   lib/libautomation.so.*                 automation::core for outside programs (below)
#   include/automation/{core,app,config}/  its public headers
#   lib/cmake/automation/                  the CMake package: find_package(automation CONFIG)
#   lib/systemd/system/automation.service  the hardened unit
#   etc/automation/automation.env          every setting, commented (/etc for prefix /usr)
#
# automation::core is the domain *with* the storage and crypto it needs: one shared library
# holding the core, the configuration loader and the composition root (app::Application),
# so an outside program can open a database from a config::Config and call UsersCore
# (list users, verify a password, ...) without knowing SOCI, libsodium or OpenSSL. Its
# private dependencies stay private: the consumer links only libautomation.so.
# Not built with sanitizers: the library would impose the sanitizer runtime on its users.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS automation RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(AUTOMATION_LIBRARY_LAYERS automation_core automation_config automation_app
                              automation_storage automation_crypto)
if(NOT AUTOMATION_SANITIZE)
  # The layers' own objects, compiled position-independent, make up the library; linking
  # the layers too brings their dependencies (their archives add nothing already present).
  set_target_properties(${AUTOMATION_LIBRARY_LAYERS} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  set(layer_objects)
  foreach(layer IN LISTS AUTOMATION_LIBRARY_LAYERS)
    list(APPEND layer_objects $<TARGET_OBJECTS:${layer}>)
  endforeach()
  add_library(automation_library SHARED src/automation/app/version.cpp ${layer_objects})
  add_library(automation::core ALIAS automation_library)
  target_link_libraries(automation_library PRIVATE ${AUTOMATION_LIBRARY_LAYERS} automation_options)
  target_include_directories(automation_library
                             INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(automation_library INTERFACE cxx_std_23)
  set_target_properties(automation_library PROPERTIES
    OUTPUT_NAME automation EXPORT_NAME core
    VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})

  install(TARGETS automation_library EXPORT automationTargets
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  # The public headers: the whole core, the configuration and the composition root.
  install(DIRECTORY src/automation/core/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/automation/core
          FILES_MATCHING PATTERN "*.hpp")
  install(FILES src/automation/config/config.hpp src/automation/config/loader.hpp
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/automation/config)
  install(FILES src/automation/app/application.hpp src/automation/app/database_admin.hpp
                src/automation/app/system_clock.hpp src/automation/app/version.hpp
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/automation/app)

  set(package_dir ${CMAKE_INSTALL_LIBDIR}/cmake/automation)
  install(EXPORT automationTargets NAMESPACE automation:: DESTINATION ${package_dir})
  configure_package_config_file(cmake/automationConfig.cmake.in
                                ${CMAKE_CURRENT_BINARY_DIR}/automationConfig.cmake
                                INSTALL_DESTINATION ${package_dir})
  # 0.x: only the same minor version is compatible.
  write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/automationConfigVersion.cmake
                                   COMPATIBILITY SameMinorVersion)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/automationConfig.cmake
                ${CMAKE_CURRENT_BINARY_DIR}/automationConfigVersion.cmake
          DESTINATION ${package_dir})
endif()

# The unit and the environment file name the installed paths, which depend on the prefix
# given at install time (`cmake --install --prefix`, CPack's /usr), so they are written then.
install(CODE "
  set(AUTOMATION_SOURCE_DIR \"${CMAKE_CURRENT_SOURCE_DIR}\")
  set(AUTOMATION_BINARY_DIR \"${CMAKE_CURRENT_BINARY_DIR}\")
  set(AUTOMATION_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
  include(\"${CMAKE_CURRENT_SOURCE_DIR}/cmake/InstallServiceFiles.cmake\")
")
