# Packages. Windows (the mingw cross build): the MSI, built with wixl from installer/windows.
# Linux: a .deb through CPack (`cmake --build <dir> --target package`), installing
#   /usr/bin/psguard, the systemd unit, /etc/psguard/psguard.json (a conffile) and the docs.
# Shipped packages come from a Release build without tests (PSGUARD_BUILD_TESTS=OFF: no fault
# points), e.g. the presets release and mingw-release; CI packages its test builds.

set(PSGUARD_INSTALLER_DIR "${PROJECT_SOURCE_DIR}/installer")

if(WIN32)
  # The MSI: `cmake --build build/cross --target msi` -> psguard-<version>-x64.msi.
  find_program(PSGUARD_WIXL wixl)
  find_program(PSGUARD_MSIBUILD msibuild)
  set(PSGUARD_MSI "${CMAKE_BINARY_DIR}/psguard-${PROJECT_VERSION}-x64.msi")
  set(_psguard_wxs "${PSGUARD_INSTALLER_DIR}/windows/psguard.wxs")
  set(_psguard_msi_config "${PSGUARD_INSTALLER_DIR}/windows/psguard.json")
  set(_psguard_build_msi "${PSGUARD_INSTALLER_DIR}/windows/build-msi.sh")
  if(CMAKE_HOST_UNIX AND PSGUARD_WIXL AND PSGUARD_MSIBUILD)
    add_custom_command(
      OUTPUT "${PSGUARD_MSI}"
      COMMAND bash "${_psguard_build_msi}" "${_psguard_wxs}" "$<TARGET_FILE:psguard>"
              "${_psguard_msi_config}" "${PROJECT_VERSION}" "${PSGUARD_MSI}"
      DEPENDS psguard "${_psguard_wxs}" "${_psguard_msi_config}" "${_psguard_build_msi}"
      COMMENT "Building psguard-${PROJECT_VERSION}-x64.msi with wixl"
      VERBATIM)
    add_custom_target(msi ALL DEPENDS "${PSGUARD_MSI}")
  elseif(CMAKE_HOST_UNIX)
    message(STATUS "wixl/msibuild not found (Debian: wixl, msitools): no msi target")
  endif()
  # On Windows: candle -arch x64 -dVersion=... -dExePath=... -dConfigPath=... psguard.wxs,
  # then light (docs/deploy-smp.md).
  return()
endif()

install(TARGETS psguard RUNTIME DESTINATION bin)
install(FILES "${PSGUARD_INSTALLER_DIR}/linux/psguard.service" DESTINATION lib/systemd/system)
install(FILES "${PSGUARD_INSTALLER_DIR}/linux/psguard.json" DESTINATION /etc/psguard
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/docs/configuration.md"
              "${PROJECT_SOURCE_DIR}/docs/deploy-smp.md"
              "${PROJECT_SOURCE_DIR}/config/psguard.example.jsonc"
              "${PROJECT_SOURCE_DIR}/config/ns-report.sql" "${PROJECT_SOURCE_DIR}/docs/endpoint.md"
        DESTINATION share/doc/psguard)
# For the monitoring host (docs/endpoint.md): alerting rules, a scrape job, the Grafana dashboard.
install(DIRECTORY "${PSGUARD_INSTALLER_DIR}/monitoring/" DESTINATION share/doc/psguard/monitoring)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME psguard)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR psguard)
set(CPACK_PACKAGE_CONTACT "psguard maintainers <psguard@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Package Server Guard: keeps ITMS Package Server packages from going Invalid on the NS")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "init-system-helpers (>= 1.54)")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "psguard watches an ITMS (Altiris) Package Server for packages that are Ready locally but\nInvalid on the Notification Server, tells the cause (credential, ACLs, events) and heals\nthe stale packages within guards. A systemd service with a loopback status endpoint.")
# The maintainer scripts, and the configuration as a conffile (CPack does not mark /etc files).
set(_psguard_deb_control "${CMAKE_BINARY_DIR}/deb-control")
file(MAKE_DIRECTORY "${_psguard_deb_control}")
file(WRITE "${_psguard_deb_control}/conffiles" "/etc/psguard/psguard.json\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PSGUARD_INSTALLER_DIR}/linux/deb/postinst" "${PSGUARD_INSTALLER_DIR}/linux/deb/prerm"
    "${PSGUARD_INSTALLER_DIR}/linux/deb/postrm" "${_psguard_deb_control}/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
