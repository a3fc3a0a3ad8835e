# cmake -P script (see CMakeLists.txt): the installed unit passes systemd-analyze verify.
find_program(SYSTEMD_ANALYZE systemd-analyze)
if(NOT SYSTEMD_ANALYZE)
  message("SKIPPED: systemd-analyze not installed, unit not verified")
  return()
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${WORK_DIR}"
                RESULT_VARIABLE code OUTPUT_QUIET)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "cmake --install failed")
endif()
# --man=no: no man pages to look up here; any warning counts as a failure.
execute_process(COMMAND ${SYSTEMD_ANALYZE} verify --man=no
                        "${WORK_DIR}/lib/systemd/system/automation.service"
                RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL 0 OR NOT "${out}${err}" STREQUAL "")
  message(FATAL_ERROR "systemd-analyze verify (exit ${code}):\n${out}${err}")
endif()
# The hardening docs/install.md promises.
file(READ "${WORK_DIR}/lib/systemd/system/automation.service" unit)
foreach(line "User=automation" "ProtectSystem=strict" "StateDirectory=automation"
        "LimitNOFILE=" "Restart=on-failure" "NoNewPrivileges=yes" "PrivateTmp=yes")
  string(FIND "${unit}" "\n${line}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "unit lacks ${line}")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
