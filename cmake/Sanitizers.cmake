add_library(automation_sanitizers INTERFACE)
if(AUTOMATION_SANITIZE)
  target_compile_options(automation_sanitizers INTERFACE -fsanitize=address,undefined
                                                         -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(automation_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
add_library(automation_options INTERFACE)
target_link_libraries(automation_options INTERFACE automation_warnings automation_sanitizers)
target_include_directories(automation_options INTERFACE ${AUTOMATION_SOURCE_ROOT})
if(AUTOMATION_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "AUTOMATION_FUZZ needs clang (libFuzzer): use the fuzz preset")
  endif()
  # Coverage feedback for libFuzzer in every library; only the fuzz target executables link
  # the fuzzer's main (-fsanitize=fuzzer, tests/fuzz/CMakeLists.txt).
  target_compile_options(automation_sanitizers INTERFACE -fsanitize=fuzzer-no-link)
endif()
