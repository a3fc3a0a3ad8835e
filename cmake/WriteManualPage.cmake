# Run by the build (src/automation/cli/CMakeLists.txt): BINARY manpage > OUTPUT without .gz,
# then gzip it (no name or time stamp inside, so the build is reproducible).
string(REGEX REPLACE "\\.gz$" "" plain "${OUTPUT}")
execute_process(COMMAND "${BINARY}" manpage OUTPUT_FILE "${plain}" RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${BINARY} manpage failed: ${result}")
endif()
file(REMOVE "${OUTPUT}")
execute_process(COMMAND gzip -9n "${plain}" RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "gzip ${plain} failed: ${result}")
endif()
