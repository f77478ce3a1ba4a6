# Third-party libraries. Native builds (Debian packages, vcpkg on MSVC) use find_package; the
# mingw-w64 cross build imports the same target names from the headers and sources staged by
# scripts/stage-cross-deps.sh (cmake/CrossDeps.cmake). The project's own interface targets are
# defined once, below, for every build flavour.
if(MINGW AND CMAKE_CROSSCOMPILING)
  include(CrossDeps)
else()
  find_package(Boost 1.74 REQUIRED)
  find_package(Threads REQUIRED)
  find_package(pugixml REQUIRED)
  find_package(nlohmann_json 3.10 REQUIRED)
  find_package(spdlog REQUIRED)
  find_package(CLI11 CONFIG REQUIRED)
  find_package(OpenSSL 1.1.1 REQUIRED)
  # psguard collect's zip: zlib's minizip (Debian's libminizip-dev; vcpkg "minizip" on MSVC).
  if(NOT WIN32)
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(MINIZIP REQUIRED IMPORTED_TARGET GLOBAL minizip)
    add_library(psguard_minizip ALIAS PkgConfig::MINIZIP)
  else()
    find_package(unofficial-minizip CONFIG REQUIRED)
    add_library(psguard_minizip ALIAS unofficial::minizip::minizip)
  endif()
  if(PSGUARD_BUILD_TESTS)
    find_package(GTest REQUIRED)
  endif()
endif()

add_library(psguard_deps INTERFACE)
# OpenSSL on every platform: the status endpoint's TLS (and, off Windows, the NS client's).
target_link_libraries(psguard_deps INTERFACE Boost::boost Threads::Threads pugixml::pugixml
                                             nlohmann_json::nlohmann_json spdlog::spdlog
                                             OpenSSL::SSL OpenSSL::Crypto)
target_compile_definitions(psguard_deps INTERFACE BOOST_ASIO_NO_DEPRECATED)
if(WIN32)
  target_compile_definitions(psguard_deps INTERFACE _WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX
                                                    UNICODE _UNICODE)
  target_link_libraries(psguard_deps INTERFACE ws2_32 mswsock winhttp crypt32 bcrypt advapi32
                                               netapi32 authz shell32 ole32 oleaut32 uuid)
endif()
target_link_libraries(psguard_deps INTERFACE psguard_minizip)

add_library(psguard_cli11 INTERFACE)
target_link_libraries(psguard_cli11 INTERFACE CLI11::CLI11)

if(PSGUARD_BUILD_TESTS)
  add_library(psguard_gtest INTERFACE)
  target_link_libraries(psguard_gtest INTERFACE GTest::gtest GTest::gmock GTest::gtest_main)
endif()
