#!/usr/bin/env bash
# What country rules cost (root): a synthetic MaxMind country database the size of a full
# GeoLite2-Country (default 400,000 IPv4 and 200,000 IPv6 networks, random countries; the real
# file's networks are not public test data) written with MaxMind's Perl writer, then
# bench/CountryBench.java: the walk and merge, the set sizes of a few rules, and in a fresh network
# namespace with the real nftables backend: the load at start, a swap, and a single ban's nft call
# with no country rule and with each rule in place (plus the interval-set layout of before #15's
# fix as the reference). Run it under the bench lock: flock /work/bench.lock bash bench/countrydb.sh
# Usage: bench/countrydb.sh [IPV4_NETWORKS [IPV6_NETWORKS]]
set -euo pipefail
cd "$(dirname "$0")/.."
v4=${1:-400000}
v6=${2:-200000}
work=$(mktemp -d /tmp/countrydb-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
[[ -f target/portcullis.jar ]] || mvn -B -q package -DskipTests -Ddeb.skip=true
python3 - "$v4" "$v6" >"$work/networks" <<'PY'
import ipaddress, random, sys
random.seed(15)
n4, n6 = int(sys.argv[1]), int(sys.argv[2])
codes = ["US"] * 25 + ["CN"] * 8 + ["DE"] * 6 + ["GB", "FR", "JP", "BR", "RU", "IN", "NL", "IT", "ES",
         "CA", "AU", "KR", "SE", "PL", "UA", "TR", "MX", "AR", "ZA", "EG", "NG", "KE", "ID", "VN",
         "TH", "PH", "MY", "SG", "AT", "CH", "BE", "DK", "NO", "FI", "CZ", "RO", "HU", "PT", "GR"]
# consecutive blocks of /20 to /24 from 1.0.0.0, each of a random country (some neighbours merge)
a = int(ipaddress.IPv4Address("1.0.0.0"))
for _ in range(n4):
    p = random.choice([20, 21, 22, 23, 24, 24, 24, 24])
    a = (a + (1 << (32 - p)) - 1) >> (32 - p) << (32 - p)
    print("%s/%d=%s" % (ipaddress.IPv4Address(a), p, random.choice(codes)))
    a += 1 << (32 - p)
b = int(ipaddress.IPv6Address("2400::"))
for _ in range(n6):
    p = random.choice([29, 32, 32, 36, 40, 44, 48, 48])
    b = (b + (1 << (128 - p)) - 1) >> (128 - p) << (128 - p)
    print("%s/%d=%s" % (ipaddress.IPv6Address(b), p, random.choice(codes)))
    b += 1 << (128 - p)
PY
start=$(date +%s.%N)
perl src/test/resources/geo/write-mmdb.pl "$work/big.mmdb" - <"$work/networks"
echo "database: $v4 IPv4 + $v6 IPv6 networks, $(stat -c %s "$work/big.mmdb") bytes, written in $(echo "$(date +%s.%N) - $start" | bc) s"
uptime
java -cp "target/classes:target/portcullis.jar" bench/CountryBench.java "$work/big.mmdb"
uptime
