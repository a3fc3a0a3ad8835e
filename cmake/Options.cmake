set(CMAKE_CXX_STANDARD 23)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
option(AUTOMATION_BUILD_TESTS "Build the test suites" ON)
option(AUTOMATION_SANITIZE "Build with address and undefined-behaviour sanitizers" OFF)
option(AUTOMATION_SANITIZE_THREAD "Build with ThreadSanitizer (data races)" OFF)
# libFuzzer targets (tests/fuzz); needs clang. Implies AUTOMATION_SANITIZE, and every
# library gets coverage instrumentation (-fsanitize=fuzzer-no-link).
option(AUTOMATION_FUZZ "Build the libFuzzer targets (clang only)" OFF)
if(AUTOMATION_FUZZ)
  set(AUTOMATION_SANITIZE ON)
endif()
# Public headers are included as <automation/core/...>.
set(AUTOMATION_SOURCE_ROOT ${CMAKE_CURRENT_SOURCE_DIR}/src)
add_compile_definitions(AUTOMATION_VERSION="${PROJECT_VERSION}")
