#!/usr/bin/env bash
# Puts the SQLite driver's native library for this machine beside the jar (DIR/libsqlitejdbc.so),
# so that the server loads it from there (the launcher's -Dorg.sqlite.lib.path) instead of the
# driver copying it out of the jar into /tmp at every start (~0.15 s of CPU, 0.3-0.4 s of a start
# on a loaded machine). The jar's own io.portcullis.cli.NativeSqlite does the copy, as the
# package's postinst does for the installed jar. Where the jar has no library for this machine,
# or on any failure, nothing is put there and the driver does as before.
#   scripts/native-sqlite.sh JAR DIR
set -euo pipefail
jar=$1
dir=$2
rm -rf "$dir"
if ! java -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$jar" io.portcullis.cli.NativeSqlite "$dir"; then
  rm -rf "$dir"
  echo "native-sqlite.sh: no SQLite library put beside the jar; the driver extracts its own" >&2
fi
