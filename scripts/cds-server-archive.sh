#!/usr/bin/env bash
# Records the class-data-sharing archive the launcher gives the server (target/portcullis-server.jsa):
# the classes a server start loads (settings, store, a jail with the shipped asterisk filter, its
# warm-up, the control socket answering a status), already parsed and verified, are mapped from
# the archive instead of read from the jar: ~0.4-0.8 s less CPU in a start with 100,000 stored bans
# (bench/daemon.sh (d)). The JVM uses it only with the very jar it was recorded from, so it is
# rebuilt with the jar. Recorded with the launcher's server options (read from packaging/launcher),
# which the archive must fit. A failure here leaves no archive (the server starts without one).
#   scripts/cds-server-archive.sh JAR ARCHIVE
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jar=$(readlink -f "$1")
archive=$2
rm -f "$archive"
opts=$(sed -n '/^  server)/,/;;/s/^ *default_opts="\([^"]*\)".*/\1/p' "$root/packaging/launcher" | head -n 1)
[[ -n "$opts" ]] || { echo "cds-server-archive.sh: no server options in packaging/launcher" >&2; exit 1; }
work=$(mktemp -d)
pid=
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/conf/filter.d"
cp "$root/config/filter.d/asterisk.conf" "$work/conf/filter.d/"
: > "$work/messages"
printf '[Definition]\nloglevel = INFO\nlogtarget = %s/server.log\nsocket = %s/s.sock\npidfile = %s/p.pid\ndbfile = %s/db.sqlite3\n' \
  "$work" "$work" "$work" "$work" > "$work/conf/portcullis.conf"
printf '[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = %s/messages\nbantime = 1h\nlogtimezone = UTC\nignoreself = false\nignoreip =\naction = log[file=%s/actions.log]\n' \
  "$work" "$work" > "$work/conf/jail.conf"
# the control client: waits for the server to answer, then sends each command given (JSON args)
cat > "$work/client.py" <<'PY'
import json, socket, sys, time
path = sys.argv[1]

def call(command, args):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
        c.settimeout(10)
        c.connect(path)
        c.sendall((json.dumps({"version": 1, "command": command, "args": args}) + "\n").encode())
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = c.recv(65536)
            if not chunk:
                break
            buf += chunk
        return json.loads(buf)

end = time.time() + 60
while True:
    try:
        call("status", [])
        break
    except (OSError, ValueError):
        if time.time() > end:
            sys.exit("cds-server-archive.sh: the server did not answer in 60 s")
        time.sleep(0.05)
for command in sys.argv[2:]:
    words = json.loads(command)
    reply = call(words[0], words[1:])
    if not reply.get("ok"):
        sys.exit("cds-server-archive.sh: the server refused %s: %s" % (command, reply))
PY
# runs a server, the commands through its socket, then stops it normally (the JVM writes an
# archive it records as it exits)
serve() {
  local record=$1
  shift
  # shellcheck disable=SC2086 # the options are words
  MALLOC_ARENA_MAX=2 java $opts $record -Xlog:cds=off -Xlog:cds+dynamic=off \
    -jar "$jar" server --config "$work/conf" > "$work/out.txt" 2>&1 &
  pid=$!
  python3 "$work/client.py" "$work/s.sock" "$@"
  kill -TERM "$pid"
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  wait "$pid" || true
  pid=
}
# a first start bans a few addresses, so that the recorded start restores bans from the store (a
# restart's path: the rows read, handed to the jail and its action); the recorded one then bans
# through the jail, store and action as the first ban after a start does, and answers a status
# (the reply's classes). Recorded from an empty store with nothing banned, the archive held none
# of these and a start with one (bench/daemon.sh (b), (d)) loaded them from the jar.
serve "" '["ban", "--force", "asterisk", "192.0.2.1", "198.51.100.1", "2001:db8::1"]'
serve "-XX:ArchiveClassesAtExit=$archive" '["ban", "--force", "asterisk", "203.0.113.1"]' '["status", "asterisk"]' '["status"]'
[[ -s "$archive" ]] || { echo "cds-server-archive.sh: no archive written to $archive" >&2; tail -5 "$work/out.txt" >&2; exit 1; }
