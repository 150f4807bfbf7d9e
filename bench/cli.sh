#!/usr/bin/env bash
# The portcullis client vs fail2ban-client: ping, status, ban, and a ban of 10,000 addresses, each
# against its own running server. Prints both and the ratios.   bench/cli.sh   (RUNS=10 BULK=10000)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-reference.sh target/reference >/dev/null
[[ -f target/portcullis.jar && -f target/portcullis.jsa ]] || mvn -q -B -Dmaven.test.skip=true package
exec python3 bench/cli.py "$@"
