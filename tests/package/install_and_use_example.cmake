# cmake -P script (see CMakeLists.txt): install, build the example against the install
# only, run it against a database made by the installed binary.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code EQUAL 0)
    list(JOIN ARGN " " command)
    message(FATAL_ERROR "failed (${code}): ${command}\n${out}\n${err}")
  endif()
  set(output "${out}" PARENT_SCOPE)
endfunction()

function(expect_contains text wanted what)
  string(FIND "${text}" "${wanted}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what}: expected to contain '${wanted}', got:\n${text}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")

# What the package holds.
foreach(installed
        bin/automation
        include/automation/core/users_core.hpp
        include/automation/app/application.hpp
        include/automation/config/loader.hpp
        lib/cmake/automation/automationConfig.cmake
        lib/cmake/automation/automationConfigVersion.cmake
        lib/systemd/system/automation.service
        etc/automation/automation.env)
  if(NOT EXISTS "${prefix}/${installed}")
    message(FATAL_ERROR "not installed: ${installed}")
  endif()
endforeach()
file(GLOB library "${prefix}/lib*/libautomation.so*")
if(NOT library)
  message(FATAL_ERROR "not installed: lib/libautomation.so")
endif()
file(READ "${prefix}/lib/systemd/system/automation.service" unit)
expect_contains("${unit}"
                "ExecStart=${prefix}/bin/automation --env-file ${prefix}/etc/automation/automation.env serve"
                "the unit names the installed paths")

# The example sees nothing of the source tree: only the prefix.
run(${CMAKE_COMMAND} -S "${EXAMPLE_DIR}" -B "${WORK_DIR}/example" -G "${GENERATOR}"
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
run(${CMAKE_COMMAND} --build "${WORK_DIR}/example")

set(database "${WORK_DIR}/app.db")
set(automation "${prefix}/bin/automation")
run(${automation} --db-file "${database}" user create --username ana --email ana@plant.local
    --role operator --password "ana-password-1")
file(WRITE "${WORK_DIR}/right" "ana-password-1\n")
file(WRITE "${WORK_DIR}/wrong" "not-her-password\n")

execute_process(COMMAND "${WORK_DIR}/example/list_users" "${database}" ana
                INPUT_FILE "${WORK_DIR}/right" RESULT_VARIABLE code OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "list_users with the right password: exit ${code}\n${out}\n${err}")
endif()
expect_contains("${out}" "\tana\toperator\n" "list_users lists ana")
expect_contains("${out}" "ana: password ok" "list_users verifies ana's password")

execute_process(COMMAND "${WORK_DIR}/example/list_users" "${database}" ana
                INPUT_FILE "${WORK_DIR}/wrong" RESULT_VARIABLE code OUTPUT_VARIABLE out)
if(NOT code EQUAL 1)
  message(FATAL_ERROR "list_users with a wrong password: exit ${code} (want 1)\n${out}")
endif()
expect_contains("${out}" "ana: wrong password" "list_users refuses a wrong password")
file(REMOVE_RECURSE "${WORK_DIR}")
