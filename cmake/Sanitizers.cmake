add_library(automation_sanitizers INTERFACE)
if(AUTOMATION_SANITIZE)
  target_compile_options(automation_sanitizers INTERFACE -fsanitize=address,undefined
                                                         -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(automation_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
if(AUTOMATION_SANITIZE_THREAD)
  if(AUTOMATION_SANITIZE)
    message(FATAL_ERROR "ThreadSanitizer cannot be combined with AddressSanitizer: use one preset")
  endif()
  # -Wno-tsan: GCC warns that ThreadSanitizer does not model std::atomic_thread_fence (asio
  # uses fences, and the SQLite change watch reads the cross-process WAL-index with them); the
  # code is still checked, the fences just add no happens-before edges the tool would see.
  target_compile_options(automation_sanitizers INTERFACE -fsanitize=thread -fno-omit-frame-pointer
                                                         -Wno-tsan)
  target_link_options(automation_sanitizers INTERFACE -fsanitize=thread)
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
