# The Debian package (`make package`: cpack -G DEB in the release build), see packaging/README.md.
# Included by the top-level CMakeLists.txt, so its settings apply to the whole project.
# gaia_server and gaia_supervisor go together into /usr/lib/gaia, because the runner looks for
# the supervisor beside the server's executable; /usr/bin/gaia_server links to it.

# `cpack` installs only what is already built: building the package must not build the tests.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# The version is the one gaia_server reports (src/core/version.h).
file(STRINGS ${PROJECT_SOURCE_DIR}/src/core/version.h gaia_version_line REGEX "kVersion = ")
string(REGEX REPLACE ".*\"([^\"]+)\".*" "\\1" gaia_version "${gaia_version_line}")

install(TARGETS gaia_server gaia_supervisor DESTINATION lib/gaia)
install(TARGETS gaia DESTINATION bin)
install(CODE "file(MAKE_DIRECTORY \$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/bin)
  file(CREATE_LINK ../lib/gaia/gaia_server \$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/bin/gaia_server
       SYMBOLIC)")
install(FILES ${CMAKE_CURRENT_LIST_DIR}/gaia.service DESTINATION lib/systemd/system)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/gaia.conf DESTINATION /etc/gaia PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(DIRECTORY DESTINATION /var/lib/gaia)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME gaia)
set(CPACK_PACKAGE_VERSION ${gaia_version})
set(CPACK_PACKAGE_CONTACT "Gaia maintainers <gaia@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "gates command execution on shared machines: quotas, rate limits, runs under limits")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, tzdata")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/debian/conffiles
    ${CMAKE_CURRENT_LIST_DIR}/debian/postinst
    ${CMAKE_CURRENT_LIST_DIR}/debian/prerm
    ${CMAKE_CURRENT_LIST_DIR}/debian/postrm)
include(CPack)
