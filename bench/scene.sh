#!/usr/bin/env bash
# The SIP scene's detection-to-block latency, in network namespaces it creates (root): Portcullis
# with the kamailio jail and with the asterisk jail (the scene test, SipBruteForceSceneIT), then
# Debian's fail2ban-server with its own nftables action on the same scene, in the same run.
# Prints the three figures (also in target/scene-latency.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
for tool in kamailio:kamailio sipp:sip-tester nft:nftables conntrack:conntrack; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool##*:}")
done
# fail2ban follows the log with inotify when pyinotify is there (it polls once a second otherwise)
/usr/bin/python3 -c 'import pyinotify' 2>/dev/null || need+=(python3-pyinotify)
if [[ ${#need[@]} -gt 0 ]]; then
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
rm -f target/scene-latency.txt
mvn -q -B verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=SipBruteForceSceneIT,SipSceneFail2banReference
echo
cat target/scene-latency.txt
