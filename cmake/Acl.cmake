# POSIX ACLs (libacl) for the ACL check and repair on Linux. On Windows the ACL code uses
# advapi32/authz/netapi32, which psguard_deps already links, so the target is empty there.
add_library(psguard_acl INTERFACE)
if(NOT WIN32)
  find_path(ACL_INCLUDE_DIR NAMES sys/acl.h acl/libacl.h REQUIRED
            DOC "libacl headers (Debian: libacl1-dev)")
  find_library(ACL_LIBRARY NAMES acl REQUIRED DOC "libacl (Debian: libacl1-dev)")
  target_include_directories(psguard_acl SYSTEM INTERFACE "${ACL_INCLUDE_DIR}")
  target_link_libraries(psguard_acl INTERFACE "${ACL_LIBRARY}")
endif()
