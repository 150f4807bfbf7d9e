#!/usr/bin/env bash
# Downloads Debian's fail2ban package and unpacks it into DIR (default target/reference).
# It is the compatibility yardstick (sample logs, filter.d) and the speed reference;
# fail2ban is GPL, so it is fetched at test time and never copied into this repository.
set -euo pipefail
dir=${1:-target/reference}
if [[ -d "$dir/usr/lib/python3/dist-packages/fail2ban/tests/files/logs" ]]; then
  ln -sfn ../etc/fail2ban "$dir/usr/config"
  exit 0
fi
mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && apt-get download fail2ban >/dev/null 2>&1); then
  # a machine whose package lists are empty needs one update first
  if [[ $(id -u) -eq 0 ]]; then apt-get update -qq >/dev/null 2>&1 || true; fi
  (cd "$work" && apt-get download fail2ban >/dev/null) || {
    echo "fetch-reference: cannot download Debian's fail2ban package (apt-get download fail2ban)" >&2
    exit 1
  }
fi
dpkg -x "$work"/fail2ban_*.deb "$dir"
# the suite's own test filters include common.conf by its path in fail2ban's source tree
ln -sfn ../etc/fail2ban "$dir/usr/config"
echo "fetch-reference: unpacked $(basename "$work"/fail2ban_*.deb) into $dir"
