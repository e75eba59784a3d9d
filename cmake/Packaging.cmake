# Install rules and the Debian package: `cpack -G DEB` in the build directory (or scripts/package.sh) makes
# funeral-registry_<version>_<arch>.deb (docs/OPERATIONS.md, "Installing from the .deb"). The layout is the
# package's: the binary in /usr/bin, the bundled plugins in /usr/share/funeral-registry/plugins, the settings
# in /etc/funeral-registry (a conffile), the unit in /lib/systemd/system. Templates, messages, static files
# and the SQL migrations are built into the binary, so nothing else is read from disk.

set(REGISTRY_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)

# The packaged settings: etc/registry.properties with the service's paths (cmake/ServiceConfig.cmake),
# written again whenever etc/registry.properties changes (it is a configure dependency).
set(REGISTRY_SERVICE_CONFIG ${CMAKE_BINARY_DIR}/packaging/registry.properties)
execute_process(
  COMMAND ${CMAKE_COMMAND} -DINPUT=${PROJECT_SOURCE_DIR}/etc/registry.properties -DOUTPUT=${REGISTRY_SERVICE_CONFIG}
          -P ${PROJECT_SOURCE_DIR}/cmake/ServiceConfig.cmake
  RESULT_VARIABLE service_config_status)
if(NOT service_config_status EQUAL 0)
  message(FATAL_ERROR "could not write ${REGISTRY_SERVICE_CONFIG} from etc/registry.properties")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/etc/registry.properties
                                                                ${PROJECT_SOURCE_DIR}/cmake/ServiceConfig.cmake)

# Relative destinations are under CPACK_PACKAGING_INSTALL_PREFIX (/usr) in the package; /etc and the unit
# are absolute, where Debian wants them.
install(TARGETS funeral-registry RUNTIME DESTINATION bin)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/plugins/ DESTINATION share/funeral-registry/plugins
        FILES_MATCHING PATTERN "*.lua")
install(FILES ${REGISTRY_SERVICE_CONFIG} DESTINATION /etc/funeral-registry)
install(FILES ${REGISTRY_PACKAGING_DIR}/funeral-registry.service DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/OPERATIONS.md
              ${PROJECT_SOURCE_DIR}/docs/PLUGINS.md ${PROJECT_SOURCE_DIR}/docs/ARCHITECTURE.md
        DESTINATION share/doc/funeral-registry)
# An example only: nginx's own directory belongs to nginx, and the site needs the operator's name and certificate.
install(FILES ${PROJECT_SOURCE_DIR}/etc/nginx/funeral-registry.conf DESTINATION share/doc/funeral-registry/examples/nginx)

# `cpack` installs what was built and does not build everything first (that would be every test suite):
# scripts/package.sh and the package test build the binary, then run cpack.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

set(CPACK_PACKAGE_NAME funeral-registry)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "Beijing Municipal Bureau of Civil Affairs")
set(CPACK_PACKAGE_CONTACT "funeral-registry maintainers <registry@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Registry of Beijing's funeral facilities, burial sites and prices")
set(CPACK_PACKAGE_DESCRIPTION
    "The registry behind Beijing's funeral facility plan: facilities, historical burial sites under\n\
rectification, prices with their caps, audits by district rules in Lua, rectification notices,\n\
public price disclosure. A JSON API and web forms served by one program, on SQLite or MariaDB.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps computes the libraries' packages (Poco, SOCI, Lua, Connector/C++, ...); these are what it
# cannot see: adduser for postinst, tzdata for audit.timezone (date/tz.h reads /usr/share/zoneinfo).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, tzdata")
# Leaflet for the facility map (public.leaflet_dir), only used when public.map_tiles_url is set.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libjs-leaflet")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "sqlite3, mariadb-server, nginx")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${REGISTRY_PACKAGING_DIR}/conffiles ${REGISTRY_PACKAGING_DIR}/postinst ${REGISTRY_PACKAGING_DIR}/prerm
    ${REGISTRY_PACKAGING_DIR}/postrm)
# Maintainer scripts 0755 and conffiles 0644 whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_GENERATOR DEB)

include(CPack)
