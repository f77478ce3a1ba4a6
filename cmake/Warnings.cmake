# One warning policy for every target of the project (not for third-party code); C++ only, so
# that the resource compiler (psguard.exe's .rc on Windows) is not handed compiler flags.
add_library(psguard_warnings INTERFACE)
if(MSVC)
  target_compile_options(psguard_warnings
                         INTERFACE "$<$<COMPILE_LANGUAGE:CXX>:/W4;/permissive-;/utf-8>")
  if(PSGUARD_WERROR)
    target_compile_options(psguard_warnings INTERFACE $<$<COMPILE_LANGUAGE:CXX>:/WX>)
  endif()
else()
  target_compile_options(psguard_warnings
                         INTERFACE "$<$<COMPILE_LANGUAGE:CXX>:-Wall;-Wextra;-Wpedantic;-Wshadow;-Wnon-virtual-dtor;-Wold-style-cast>")
  if(PSGUARD_WERROR)
    target_compile_options(psguard_warnings INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
  endif()
endif()
if(PSGUARD_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # In a unity batch every source is an included file, and GCC then reads a type holding a member
  # from an anonymous namespace (a coroutine frame holding a file-local type) as a header's ODR
  # hazard. It is not one: each source is still compiled exactly once.
  target_compile_options(psguard_warnings INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Wno-subobject-linkage>)
endif()
