#!/usr/bin/env bash
# Puts the SQLite driver's native library for this machine beside the jar (DIR/libsqlitejdbc.so),
# so that the server loads it from there (the launcher's -Dorg.sqlite.lib.path) instead of the
# driver copying it out of the jar into /tmp at every start (~0.15 s of CPU, 0.3-0.4 s of a start
# on a loaded machine). Linux with glibc only (the driver's Linux/<arch> build); elsewhere, or on
# any failure, nothing is put there and the driver does as before.
#   scripts/native-sqlite.sh JAR DIR
set -euo pipefail
jar=$1
dir=$2
rm -rf "$dir"
arch=$(uname -m)
case "$arch" in
  x86_64|aarch64) ;;
  *) exit 0 ;;
esac
mkdir -p "$dir"
if ! python3 - "$jar" "org/sqlite/native/Linux/$arch/libsqlitejdbc.so" "$dir/libsqlitejdbc.so" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
then
  rm -rf "$dir"
  echo "native-sqlite.sh: the jar has no Linux/$arch SQLite library; the driver extracts its own" >&2
fi
