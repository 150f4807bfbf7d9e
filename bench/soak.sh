#!/usr/bin/env bash
# kill -9 soak (issue #12): ROUNDS (default 100) kills of the server at random moments of a flood
# of bans and unbans from four clients (CrashSoakIT; `mvn -B verify` runs 10), then the same kills
# on Debian's fail2ban-server during a flood of bans (F2B_ROUNDS, default 10; bench/soak.py).
# Prints both figures: acknowledged bans lost, integrity_check, time to agree after a restart.
#   bench/soak.sh                          (root: network namespaces, nft)
#   ROUNDS=20 DAEMONS=portcullis bench/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-100}
DAEMONS=${DAEMONS:-"portcullis fail2ban"}
command -v nft >/dev/null || apt-get install -y -qq nftables >/dev/null
out=$(mktemp)
trap 'rm -f "$out"' EXIT
if [[ $DAEMONS == *portcullis* ]]; then
  mvn -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dspotless.check.skip=true \
    -Dit.test=CrashSoakIT -Dportcullis.soak.rounds="$ROUNDS" ${SEED:+-Dportcullis.soak.seed=$SEED} \
    >"$out" 2>&1 || { tail -60 "$out"; echo "CrashSoakIT failed (whole output above)"; exit 1; }
  grep -E '^crash soak:' "$out" | sed 's/^/portcullis       /'
fi
if [[ $DAEMONS == *fail2ban* ]]; then
  bash scripts/fetch-reference.sh target/reference >/dev/null
  python3 bench/soak.py
fi
