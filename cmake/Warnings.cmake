# One warning policy for every target of the project (not for third-party code).
add_library(psguard_warnings INTERFACE)
if(MSVC)
  target_compile_options(psguard_warnings INTERFACE /W4 /permissive- /utf-8)
  if(PSGUARD_WERROR)
    target_compile_options(psguard_warnings INTERFACE /WX)
  endif()
else()
  target_compile_options(psguard_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                                    -Wnon-virtual-dtor -Wold-style-cast)
  if(PSGUARD_WERROR)
    target_compile_options(psguard_warnings INTERFACE -Werror)
  endif()
endif()
