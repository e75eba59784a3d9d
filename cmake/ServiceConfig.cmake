# Writes the settings file the .deb installs as /etc/funeral-registry/registry.properties: etc/registry.properties
# with the paths a system service needs, so that the two files never drift apart. Run with
#   cmake -DINPUT=etc/registry.properties -DOUTPUT=... -P cmake/ServiceConfig.cmake
# Each replaced setting must be found exactly as `key = value` at the start of a line (commented or not);
# a renamed one stops the build instead of shipping the development path.

file(READ "${INPUT}" text)

# key, then the value the service uses. Everything the service writes is under its StateDirectory
# (/var/lib/funeral-registry) or LogsDirectory (/var/log/funeral-registry); the bundled plugins are the
# package's, read-only (districts' own plugins go through the API into the database).
set(replacements
    "db.url" "sqlite3:/var/lib/funeral-registry/registry.db"
    "attachments.dir" "/var/lib/funeral-registry/attachments"
    "plugins.dir" "/usr/share/funeral-registry/plugins"
    "# logging.channels.file.path" "/var/log/funeral-registry/registry.log")

list(LENGTH replacements count)
math(EXPR last "${count} - 1")
foreach(i RANGE 0 ${last} 2)
  math(EXPR j "${i} + 1")
  list(GET replacements ${i} key)
  list(GET replacements ${j} value)
  string(REPLACE "." "\\." pattern "${key}")
  string(REGEX MATCHALL "\n${pattern} = [^\n]*" found "${text}")
  list(LENGTH found n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "ServiceConfig: '${key} = ...' occurs ${n} times in ${INPUT} (expected once)")
  endif()
  string(REGEX REPLACE "\n${pattern} = [^\n]*" "\n${key} = ${value}" text "${text}")
endforeach()

string(REPLACE "# Relative paths are relative to the directory the program is started in (scripts/run.sh uses the
# repository root)."
"# Installed by the funeral-registry package: a conffile, so an upgrade keeps your edits (dpkg asks when
# the package's own copy changed too). The service runs in /var/lib/funeral-registry, its state directory;
# relative paths are relative to it." text "${text}")
if(NOT text MATCHES "Installed by the funeral-registry package")
  message(FATAL_ERROR "ServiceConfig: the header of ${INPUT} changed; update cmake/ServiceConfig.cmake")
endif()

file(WRITE "${OUTPUT}" "${text}")
