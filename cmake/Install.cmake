# `cmake --install` (GNU install dirs) and `cpack -G DEB`.
#   server component  -> package "navigator": bin/navigator, the systemd unit, env.example, the docs
#   admin component   -> package "navigator-admin": bin/navigator-admin (Qt Widgets)
# The .deb's library dependencies come from dpkg-shlibdeps; the Qt SQL drivers are plugins (loaded at run
# time, invisible to shlibdeps) and are listed by hand.
include(GNUInstallDirs)

install(TARGETS navigator RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT server)
install(FILES ${CMAKE_SOURCE_DIR}/resources/env.example
        DESTINATION ${CMAKE_INSTALL_DATADIR}/navigator COMPONENT server)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/resources/env.example
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT server)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT server
        FILES_MATCHING PATTERN "*.md" PATTERN "*.png")

# The unit names the installed binary: /usr/bin/navigator in the repository's copy (and in the .deb, whose
# prefix is /usr), <prefix>/bin/navigator after `cmake --install --prefix <prefix>`. Written at install time,
# when the prefix is known.
install(CODE "
  file(READ \"${CMAKE_SOURCE_DIR}/resources/navigator.service\" unit)
  string(REPLACE \"/usr/bin/navigator\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/navigator\" unit \"\${unit}\")
  string(REPLACE \"/usr/share/doc/navigator\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DOCDIR}\" unit \"\${unit}\")
  set(target \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/lib/systemd/system/navigator.service\")
  message(STATUS \"Installing: \${target}\")
  file(WRITE \"\${target}\" \"\${unit}\")
" COMPONENT server)

if(TARGET navigator-admin)
  install(TARGETS navigator-admin RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT admin)
endif()

set(CPACK_PACKAGE_NAME navigator)
set(CPACK_PACKAGE_VENDOR "Navigator contributors")
set(CPACK_PACKAGE_CONTACT "Navigator maintainers <navigator@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Image-generation queue and API for Stable Diffusion Forge")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_STRIP_FILES ON)
# Install into DESTDIR with the real prefix, so that the unit written above names /usr/bin/navigator.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL server)
if(TARGET navigator-admin)
  list(APPEND CPACK_COMPONENTS_ALL admin)
endif()
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_SERVER_PACKAGE_NAME navigator)
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "adduser, libqt6sql6-sqlite")
set(CPACK_DEBIAN_SERVER_PACKAGE_RECOMMENDS "libqt6sql6-mysql")
set(CPACK_DEBIAN_SERVER_DESCRIPTION
    "Image-generation queue and API for Stable Diffusion Forge\n"
    " Navigator takes txt2img/img2img jobs from the Compass web app and Discord bots, queues them durably,\n"
    " drives Stable Diffusion Forge and streams progress over socket.io. Runs as the navigator.service unit.")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/postinst ${CMAKE_SOURCE_DIR}/packaging/debian/prerm
    ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_ADMIN_PACKAGE_NAME navigator-admin)
set(CPACK_DEBIAN_ADMIN_DESCRIPTION "Qt desktop window to watch and control a Navigator server")
include(CPack)
