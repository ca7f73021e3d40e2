# gal_module(<target> DEPS <targets...>): one static library per module folder, from the .c
# files in that folder (not its subfolders, which are modules of their own). DEPS lists the
# modules and third-party targets it may use; this is the dependency graph of DESIGN.md.
function(gal_module target)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.c)
  if(srcs)
    add_library(${target} STATIC ${srcs})
    target_link_libraries(${target} PUBLIC ${M_DEPS})
    set_property(GLOBAL APPEND PROPERTY GALORE_MODULES ${target})
  else()
    add_library(${target} INTERFACE)
    target_link_libraries(${target} INTERFACE ${M_DEPS})
  endif()
endfunction()
