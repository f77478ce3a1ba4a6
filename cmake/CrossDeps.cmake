# Third-party libraries for the mingw-w64 cross build, from the folder filled by
# scripts/stage-cross-deps.sh. Defines the targets the native branch of Dependencies.cmake gets
# from find_package (same names, so any target linking them works in both builds) and, on top,
# the project's psguard_deps / psguard_cli11 / psguard_gtest exactly as the native branch does.
set(PSGUARD_CROSS_DEPS_DIR "${PROJECT_SOURCE_DIR}/build/cross-deps"
    CACHE PATH "Third-party code staged by scripts/stage-cross-deps.sh")
set(_psguard_staged "${PSGUARD_CROSS_DEPS_DIR}")
if(NOT EXISTS "${_psguard_staged}/pugixml/src/pugixml.cpp"
   OR NOT EXISTS "${_psguard_staged}/include/boost/boost/version.hpp"
   OR NOT EXISTS "${_psguard_staged}/openssl/lib/libssl.a")
  message(FATAL_ERROR "Cross dependencies are not staged in ${_psguard_staged}: "
                      "run scripts/stage-cross-deps.sh \"${_psguard_staged}\" first.")
endif()

# Header-only packages: IMPORTED targets, so their headers are SYSTEM and -Werror ignores them.
function(_psguard_header_only target include_dir)
  add_library(${target} INTERFACE IMPORTED)
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES
                                             "${_psguard_staged}/include/${include_dir}")
endfunction()

_psguard_header_only(Boost::boost boost)
_psguard_header_only(nlohmann_json::nlohmann_json nlohmann_json)
_psguard_header_only(CLI11::CLI11 cli11)
_psguard_header_only(fmt::fmt-header-only fmt)
_psguard_header_only(spdlog::spdlog spdlog)
# Debian's spdlog/tweakme.h hard-codes SPDLOG_FMT_EXTERNAL (the bundled fmt is stripped), so
# spdlog is header-only by default (no SPDLOG_COMPILED_LIB) and fmt must be made header-only too.
# SPDLOG_HEADER_ONLY is not passed: spdlog/common.h defines it itself and -D would redefine it.
set_target_properties(fmt::fmt-header-only PROPERTIES INTERFACE_COMPILE_DEFINITIONS
                                                      FMT_HEADER_ONLY)
set_target_properties(
  spdlog::spdlog PROPERTIES INTERFACE_COMPILE_DEFINITIONS SPDLOG_FMT_EXTERNAL
                            INTERFACE_LINK_LIBRARIES fmt::fmt-header-only)

find_package(Threads REQUIRED)

# pugixml ships no Windows library: compile Debian's source with the cross compiler.
add_library(psguard_pugixml STATIC "${_psguard_staged}/pugixml/src/pugixml.cpp")
target_include_directories(psguard_pugixml SYSTEM
                           INTERFACE "${_psguard_staged}/pugixml/src")
add_library(pugixml::pugixml ALIAS psguard_pugixml)

# OpenSSL: static libraries built from Debian's source by the staging script (Debian ships no
# mingw-w64 build of it). Its Windows dependencies: sockets, the crypto API (certificate stores),
# GDI (the entropy fallback).
foreach(_psguard_lib Crypto SSL)
  string(TOLOWER "${_psguard_lib}" _psguard_file)
  add_library(OpenSSL::${_psguard_lib} STATIC IMPORTED)
  set_target_properties(OpenSSL::${_psguard_lib} PROPERTIES
    IMPORTED_LOCATION "${_psguard_staged}/openssl/lib/lib${_psguard_file}.a"
    INTERFACE_INCLUDE_DIRECTORIES "${_psguard_staged}/openssl/include")
endforeach()
set_target_properties(OpenSSL::Crypto PROPERTIES INTERFACE_LINK_LIBRARIES "ws2_32;gdi32;crypt32")
set_target_properties(OpenSSL::SSL PROPERTIES INTERFACE_LINK_LIBRARIES OpenSSL::Crypto)

# zlib and its contrib/minizip (the zip writer of `psguard collect`): no Windows library in
# Debian either, so the same way. C code: the project's warning flags do not apply to it.
enable_language(C)
set(_psguard_zlib "${_psguard_staged}/zlib")
if(NOT EXISTS "${_psguard_zlib}/contrib/minizip/zip.c")
  message(FATAL_ERROR "zlib is not staged in ${_psguard_staged}: run scripts/stage-cross-deps.sh")
endif()
add_library(
  psguard_minizip STATIC
  "${_psguard_zlib}/adler32.c" "${_psguard_zlib}/compress.c" "${_psguard_zlib}/crc32.c"
  "${_psguard_zlib}/deflate.c" "${_psguard_zlib}/infback.c" "${_psguard_zlib}/inffast.c"
  "${_psguard_zlib}/inflate.c" "${_psguard_zlib}/inftrees.c" "${_psguard_zlib}/trees.c"
  "${_psguard_zlib}/uncompr.c" "${_psguard_zlib}/zutil.c"
  "${_psguard_zlib}/contrib/minizip/ioapi.c" "${_psguard_zlib}/contrib/minizip/iowin32.c"
  "${_psguard_zlib}/contrib/minizip/zip.c" "${_psguard_zlib}/contrib/minizip/unzip.c")
target_include_directories(psguard_minizip SYSTEM PUBLIC "${_psguard_zlib}"
                                                         "${_psguard_zlib}/contrib/minizip")
# No encryption (minizip's crypt.h needs it off to build without a random source), UTF-16 paths.
target_compile_definitions(psguard_minizip PRIVATE NOCRYPT NOUNCRYPT UNICODE _UNICODE)
set_target_properties(psguard_minizip PROPERTIES C_STANDARD 99)

if(PSGUARD_BUILD_TESTS)
  # GoogleTest from Debian's source tree; pthreads stay off on MinGW (gtest uses Win32 there).
  set(BUILD_GMOCK ON)
  set(INSTALL_GTEST OFF)
  # Defines GTest::gtest, GTest::gmock, GTest::gtest_main, GTest::gmock_main itself.
  add_subdirectory("${_psguard_staged}/googletest" "${CMAKE_BINARY_DIR}/_deps/googletest"
                   EXCLUDE_FROM_ALL)
endif()
