# gaia_module_headers(target module): puts src/<module>'s headers on `target`'s include path
# as "<module>/...", and on the path of whatever links `target` (PUBLIC). There is no global
# include path: a target reaches a module's headers only by linking that module, so an
# include that breaks the arrows of design.md fails to build. (scripts/check_layering.py
# checks the finer rules per file.)
function(gaia_module_headers target module)
  set(dir ${CMAKE_BINARY_DIR}/include/${module})
  if(NOT EXISTS ${dir}/${module})
    file(MAKE_DIRECTORY ${dir})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${module} ${dir}/${module} SYMBOLIC)
  endif()
  target_include_directories(${target} PUBLIC ${dir})
endfunction()
