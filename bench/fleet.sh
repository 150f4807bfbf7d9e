#!/usr/bin/env bash
# What a fleet costs and how fast it is (docs/fleet.md "How it scales"):
#  1. bench/FleetBench.java against a redis-server of its own on 127.0.0.1:6391 (its own dir,
#     stopped by PID): events per second published and followed, Redis memory per ban in force;
#  2. FleetNetnsIT (three servers in three network namespaces, as root) with BANS bans timed from
#     A's decision to B's kernel set, and the issue's bound p99 <= 200 ms.
# Usage: bench/fleet.sh [BANS_IN_REDIS=100000] [BANS_TIMED=100]
set -euo pipefail
cd "$(dirname "$0")/.."
bans=${1:-100000}
timed=${2:-100}
[[ -f target/portcullis.jar ]] || mvn -B -q package -DskipTests -Ddeb.skip=true
dir=$(mktemp -d)
redis-server --bind 127.0.0.1 --port 6391 --dir "$dir" --save '' --appendonly no \
  --daemonize no >"$dir/redis.out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 100); do redis-cli -p 6391 ping >/dev/null 2>&1 && break; sleep 0.1; done
java -cp target/portcullis.jar bench/FleetBench.java redis://127.0.0.1:6391/0 "$bans" 1
# 100 nodes: one publishes, 99 follow
java -cp target/portcullis.jar bench/FleetBench.java redis://127.0.0.1:6391/0 10000 99
kill "$pid"; wait "$pid" 2>/dev/null || true
mvn -B verify -Ddeb.skip=true -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=FleetNetnsIT -Dfleet.latency.bans="$timed" -Dfleet.latency.p99=200 \
  | grep -E 'FleetNetnsIT|Tests run:|BUILD'
