# INTERFACE target every project target links to get the agreed warning set.
add_library(automation_warnings INTERFACE)
target_compile_options(automation_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                     -Wnon-virtual-dtor -Wconversion-null)
