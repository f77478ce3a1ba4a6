# Toolchain: 64-bit Windows with Debian's mingw-w64 compilers. The "posix" variants use the
# winpthreads thread model, which std::thread/std::mutex need in GCC 12.
# Third-party code comes from scripts/stage-cross-deps.sh (see cmake/CrossDeps.cmake).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(PSGUARD_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${PSGUARD_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${PSGUARD_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${PSGUARD_MINGW_TRIPLE}-windres)

# Look for libraries and packages in the mingw sysroot only; run build tools from the host.
set(CMAKE_FIND_ROOT_PATH /usr/${PSGUARD_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Asio/Beast translation units exceed COFF's 32k-section limit in Debug builds.
set(CMAKE_CXX_FLAGS_INIT "-Wa,-mbig-obj")
# Self-contained executables: no libstdc++/libgcc/winpthread DLLs to ship, or for Wine to find.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

# Link with lld: GNU ld takes minutes on the ~100k COMDAT sections of an Asio/Beast/gtest
# executable, lld well under a second. Debian's mingw GCC is configured --with-ld, which makes it
# ignore -fuse-ld=lld, so a collect2 stand-in found through -B hands the link to ld.lld instead
# (ld.lld accepts GCC's collect2 arguments, the LTO plugin options included; LTO is not used).
option(PSGUARD_MINGW_LLD "Link the mingw-w64 build with ld.lld (falls back to GNU ld)" ON)
find_program(PSGUARD_LD_LLD ld.lld)
if(PSGUARD_MINGW_LLD AND PSGUARD_LD_LLD)
  set(_psguard_lld_dir "${CMAKE_BINARY_DIR}/mingw-lld")
  file(WRITE "${_psguard_lld_dir}/collect2" "#!/bin/sh\nexec '${PSGUARD_LD_LLD}' \"$@\"\n")
  file(CHMOD "${_psguard_lld_dir}/collect2" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
       GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT " -B${_psguard_lld_dir}/")
  set(CMAKE_SHARED_LINKER_FLAGS_INIT "-B${_psguard_lld_dir}/")
  set(CMAKE_MODULE_LINKER_FLAGS_INIT "-B${_psguard_lld_dir}/")
endif()

# ctest and gtest_discover_tests run the .exe files under Wine, in a prefix inside the build tree.
get_filename_component(_psguard_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(CMAKE_CROSSCOMPILING_EMULATOR
    "${_psguard_root}/scripts/wine-run.sh;--prefix=${CMAKE_BINARY_DIR}/wine"
    CACHE STRING "Runs cross-built programs on the build host")
