#!/usr/bin/env bash
# Firewall speed in network namespaces (root): 10,000 bans vs fail2ban-server's nftables action,
# and a restart with 100,000 stored bans. Prints both and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/fetch-reference.sh target/reference >/dev/null
command -v nft >/dev/null || apt-get install -y -qq nftables >/dev/null
[[ -f target/portcullis.jar ]] || mvn -q -B -Dmaven.test.skip=true package
exec python3 bench/firewall.py "$@"
