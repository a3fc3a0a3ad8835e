add_library(automation_sanitizers INTERFACE)
if(AUTOMATION_SANITIZE)
  target_compile_options(automation_sanitizers INTERFACE -fsanitize=address,undefined
                                                         -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(automation_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
add_library(automation_options INTERFACE)
target_link_libraries(automation_options INTERFACE automation_warnings automation_sanitizers)
target_include_directories(automation_options INTERFACE ${AUTOMATION_SOURCE_ROOT})
