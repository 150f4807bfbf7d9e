#!/usr/bin/env bash
# Speed of `portcullis regex` against fail2ban-regex on the same generated Asterisk log,
# same filter, same machine, same run. Prints both and the ratio.
#   bench/regex.sh [LINES]      (default 1000000; needs python3 and apt-get download access)
# SKIP_F2B=1: Portcullis only (quick trials; no ratio to fail2ban-regex, no 1-core row, no engine rows).
# REF=DIR: also runs DIR's build (DIR/target/portcullis.jar through DIR/packaging/launcher, e.g. a
#   worktree of main) on the same log right after each of ours, and prints ours against it.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
out=bench/out
mkdir -p "$out"
bash scripts/fetch-reference.sh target/reference >/dev/null
ref=$(cd target/reference && pwd)
log="$out/asterisk-$lines.log"
[[ -f "$log" ]] || python3 bench/genlog.py "$lines" > "$log"
echo "log: $log ($(wc -l < "$log") lines, $(du -hL "$log" | cut -f1)); failures: $(grep -c 'failed for\|rejected because' "$log")"
[[ -f target/portcullis.jar ]] || ./portcullis --version >/dev/null

f2b() { # fail2ban-regex from the unpacked Debian package
  PYTHONPATH="$ref/usr/lib/python3/dist-packages" /usr/bin/python3 "$ref/usr/bin/fail2ban-regex" "$@"
}
now=1717200000
run() { # label, command...; prints "label seconds"
  local label=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@" > "$out/$label.txt" 2>&1
  end=$(date +%s.%N)
  echo "$label $(echo "$end - $start" | bc -l)"
}

# as people run it: through the launcher, with its JVM options for regex (and the regex command's
# class-data-sharing archive, target/portcullis-regex.jsa, when the build recorded it)
ours() { PORTCULLIS_JAR=target/portcullis.jar packaging/launcher regex --now $now --timezone UTC "$@"; }

echo
echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "end to end (JVM start included, the launcher's options), same filter in both tools, whole machine for both:"
# the reference build, the same way (its own launcher and options)
theirs() { PORTCULLIS_JAR="$REF/target/portcullis.jar" "$REF/packaging/launcher" regex --now $now --timezone UTC "$@"; }
secs() { echo "$1" | cut -d' ' -f2; }
o1=$(run ours-f2bfilter ours --config "$ref/etc/fail2ban" "$log" asterisk)
[[ -n "${REF:-}" ]] && r1=$(run ref-f2bfilter theirs --config "$ref/etc/fail2ban" "$log" asterisk)
[[ -z "${SKIP_F2B:-}" ]] && t1=$(run f2b-f2bfilter f2b "$log" "$ref/etc/fail2ban/filter.d/asterisk.conf")
o2=$(run ours-own ours --config config "$log" asterisk)
[[ -n "${REF:-}" ]] && r2=$(run ref-own theirs --config config "$log" asterisk)
if [[ -n "${SKIP_F2B:-}" ]]; then
  printf '  %-32s portcullis %6.2f s\n' "fail2ban's filter.d/asterisk" "$(secs "$o1")" "Portcullis' filter.d/asterisk" "$(secs "$o2")"
  if [[ -n "${REF:-}" ]]; then
    printf '  reference %s: %6.2f s and %6.2f s; ours/reference %.2f and %.2f\n' "$REF" "$(secs "$r1")" "$(secs "$r2")" \
      "$(echo "$(secs "$o1") / $(secs "$r1")" | bc -l)" "$(echo "$(secs "$o2") / $(secs "$r2")" | bc -l)"
  fi
  grep -h '^Lines:' "$out/ours-f2bfilter.txt" "$out/ours-own.txt" | sed 's/^/  /'
  echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi
t2=$(run f2b-own f2b "$log" config/filter.d/asterisk.conf)
o3=$(run ours-own-1core taskset -c 0 env PORTCULLIS_JAR=target/portcullis.jar packaging/launcher regex --now $now --timezone UTC --config config "$log" asterisk)

report() { # ours theirs title
  local o t
  o=$(echo "$1" | cut -d' ' -f2); t=$(echo "$2" | cut -d' ' -f2)
  printf '  %-32s portcullis %6.2f s (%8.0f lines/s)  fail2ban-regex %6.2f s (%6.0f lines/s)  ratio %5.1fx\n' \
    "$3" "$o" "$(echo "$lines / $o" | bc -l)" "$t" "$(echo "$lines / $t" | bc -l)" "$(echo "$t / $o" | bc -l)"
}
report "$o1" "$t1" "fail2ban's filter.d/asterisk"
echo "    (issue #10's target: >= 20x)"
report "$o2" "$t2" "Portcullis' filter.d/asterisk"
echo "    (issue #10's target: >= 30x)"
report "$o3" "$t2" "Portcullis' filter, 1 core"
if [[ -n "${REF:-}" ]]; then
  report "$r1" "$t1" "reference: fail2ban's filter"
  report "$r2" "$t2" "reference: Portcullis' filter"
fi
echo
echo "matched lines (the tools must agree):"
for f in ours-f2bfilter ours-own; do printf '  portcullis     %-16s %s\n' "$f" "$(grep -h '^Lines:' "$out/$f.txt")"; done
for f in f2b-f2bfilter f2b-own; do printf '  fail2ban-regex %-16s %s\n' "$f" "$(grep -h '^Lines:' "$out/$f.txt")"; done
echo
echo "engine alone, one core (in memory, after warm-up; issue #10's targets: 3M lines/s shipped filter, 1.5M fail2ban's):"
taskset -c 0 java -Xmx256m -XX:+UseSerialGC -cp target/portcullis.jar bench/EngineBench.java config asterisk "$log" 8 | sed 's/^/  /'
taskset -c 0 java -Xmx256m -XX:+UseSerialGC -cp target/portcullis.jar bench/EngineBench.java "$ref/etc/fail2ban" asterisk "$log" 8 | tail -1 | sed 's/^/  /'
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
