#!/usr/bin/env bash
# Lines lost across log rotation, Portcullis server vs fail2ban-server, in seven rotation modes at
# 2,000 lines/s (rotation every 0.5 s) and 25,000 lines/s (every 0.3 s). Prints both and a table.
#   bench/rotation.sh        (root: installs python3-pyinotify so fail2ban gets inotify too)
#   MODES="copytruncate delete" DAEMONS=portcullis bench/rotation.sh   (a subset)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-reference.sh target/reference >/dev/null
if [[ $(id -u) -eq 0 ]] && ! /usr/bin/python3 -c 'import pyinotify' 2>/dev/null; then
  apt-get install -y -qq python3-pyinotify >/dev/null 2>&1 || echo "note: python3-pyinotify not installed: fail2ban polls once a second"
fi
[[ -f target/portcullis.jar ]] || mvn -q -B -Dmaven.test.skip=true package
exec python3 bench/rotation.py "$@"
