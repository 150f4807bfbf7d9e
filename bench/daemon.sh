#!/usr/bin/env bash
# Portcullis server vs fail2ban-server: throughput, ban delay, memory, restart. Prints both and ratios.
#   bench/daemon.sh [LINES]     (root: installs python3-pyinotify so fail2ban gets inotify too)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-reference.sh target/reference >/dev/null
if [[ $(id -u) -eq 0 ]] && ! /usr/bin/python3 -c 'import pyinotify' 2>/dev/null; then
  apt-get install -y -qq python3-pyinotify >/dev/null 2>&1 || echo "note: python3-pyinotify not installed: fail2ban polls once a second"
fi
[[ -f target/portcullis.jar ]] || mvn -q -B -Dmaven.test.skip=true package
exec python3 bench/daemon.py "$@"
