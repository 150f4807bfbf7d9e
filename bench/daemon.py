#!/usr/bin/env python3
"""Portcullis server vs fail2ban-server on the same workload, same machine, same run.

(a) lines/s until 1,000,000 appended Asterisk lines are processed,
(b) delay from appending the failure line that crosses maxretry to the ban reaching the action
    (p50/p99 over many bans),
(c) resident memory with 100,000 distinct failing addresses tracked,
(d) restart time with 100,000 active bans in the store.
Every wait is bounded; every process started here is stopped by PID.
"""
import os, shutil, sqlite3, subprocess, sys, tempfile, time

from benchlib import F2B_PY, JAR, REF, ROOT, control, server_env, server_opts, stop, wait

PROCS = []
MAXRETRY = 5
LINES = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
LAT_OURS = int(os.environ.get("LAT_OURS", "200"))
LAT_F2B = int(os.environ.get("LAT_F2B", "40"))
TRACKED = int(os.environ.get("TRACKED", "100000"))
FIRST_STARTS = int(os.environ.get("FIRST_STARTS", "5"))
PHASES = os.environ.get("PHASES", "abcd")
SKIP_F2B = os.environ.get("SKIP_F2B") == "1"  # for quick runs while developing only


def ts(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


def fail_line(ip, t=None):
    return "[%s] NOTICE[1] chan_sip.c: Registration from '<sip:1@x>' failed for '%s' - Wrong password\n" % (ts(t or time.time()), ip)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for l in f:
            if l.startswith("VmRSS:"):
                return int(l.split()[1])
    return 0


class Ours:
    name = "portcullis"

    def __init__(self, base, log):
        self.base, self.log = base, log
        self.conf = os.path.join(base, "conf")
        os.makedirs(os.path.join(self.conf, "filter.d"))
        shutil.copy(os.path.join(ROOT, "config/filter.d/asterisk.conf"), os.path.join(self.conf, "filter.d"))
        self.sock = os.path.join(base, "s.sock")
        self.actions = os.path.join(base, "actions.log")
        with open(os.path.join(self.conf, "portcullis.conf"), "w") as f:
            f.write("[Definition]\nloglevel = INFO\nlogtarget = %s/server.log\nsocket = %s\npidfile = %s/p.pid\ndbfile = %s/db.sqlite3\n"
                    % (base, self.sock, base, base))
        with open(os.path.join(self.conf, "jail.conf"), "w") as f:
            f.write("[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = %s\nmaxretry = %d\nfindtime = 10m\nbantime = 1h\n"
                    "logtimezone = UTC\nignoreself = false\nignoreip =\nallowtime = 0\naction = log[file=%s, stamp=yes]\n" % (log, MAXRETRY, self.actions))
        self.p = None

    def start(self):
        self.p = subprocess.Popen(["java"] + server_opts() + ["-jar", JAR, "server", "--config", self.conf],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=server_env())
        PROCS.append(self.p)

    def client(self, *args):
        # the control protocol directly (a JVM per status poll would blur the timings)
        try:
            reply = control(self.sock, args[0], args[1:])
            return reply.get("result") if reply.get("ok") else None
        except (OSError, ValueError):
            return None

    def ready(self, timeout=60):
        wait("portcullis to answer", lambda: os.path.exists(self.sock) and self.client("ping") == "pong", timeout)

    def lines(self):
        s = self.client("status", "asterisk")
        return s["lines"] if s else -1

    def bans(self):
        s = self.client("status")
        return s["bans"] if s else -1

    def ban_time(self, ip):
        if not os.path.exists(self.actions):
            return None
        with open(self.actions) as f:
            for l in f:
                if l.startswith("ban asterisk %s " % ip):
                    return int(l.rsplit("at=", 1)[1]) / 1e6
        return None

    def stop(self):
        stop(self.p)


class Fail2ban:
    name = "fail2ban-server"

    def __init__(self, base, log):
        self.base, self.log = base, log
        self.conf = os.path.join(base, "conf")
        shutil.copytree(os.path.join(REF, "etc/fail2ban"), self.conf)
        shutil.copy(os.path.join(ROOT, "config/filter.d/asterisk.conf"), os.path.join(self.conf, "filter.d", "portcullis-asterisk.conf"))
        self.sock = os.path.join(base, "f.sock")
        self.actions = os.path.join(base, "actions.log")
        self.db = os.path.join(base, "f2b.sqlite3")
        with open(os.path.join(self.conf, "fail2ban.local"), "w") as f:
            f.write("[Definition]\nloglevel = INFO\nlogtarget = %s/f2b.log\nsocket = %s\npidfile = %s/f.pid\ndbfile = %s\n" % (base, self.sock, base, self.db))
        with open(os.path.join(self.conf, "action.d", "stamp.conf"), "w") as f:
            # in fail2ban's config files a literal percent is written %%
            f.write("[Definition]\nactionstart =\nactionstop =\nactioncheck =\n"
                    + "actionban = printf '+<ip> %%s\\n' \"$(date +%%s%%6N)\" >> " + self.actions + "\n"
                    + "actionunban = printf '-<ip>\\n' >> " + self.actions + "\n")
        os.makedirs(os.path.join(self.conf, "jail.d"), exist_ok=True)
        for n in os.listdir(os.path.join(self.conf, "jail.d")):
            os.remove(os.path.join(self.conf, "jail.d", n))
        with open(os.path.join(self.conf, "jail.local"), "w") as f:
            f.write("[DEFAULT]\nignoreself = false\nignoreip =\nbackend = auto\n"
                    "[asterisk]\nenabled = true\nfilter = portcullis-asterisk\nlogpath = %s\nmaxretry = %d\nfindtime = 10m\nbantime = 1h\n"
                    "logtimezone = UTC\naction = stamp\n" % (log, MAXRETRY))
        self.p = None

    def env(self):
        e = dict(os.environ)
        e["PYTHONPATH"] = F2B_PY
        return e

    def start(self):
        self.p = subprocess.Popen(["/usr/bin/python3", os.path.join(REF, "usr/bin/fail2ban-server"), "-f", "-x", "-c", self.conf],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env())
        PROCS.append(self.p)

    def client(self, *args):
        # fail2ban's own client socket class, from the unpacked package
        if F2B_PY not in sys.path:
            sys.path.insert(0, F2B_PY)
        from fail2ban.client.csocket import CSocket
        try:
            c = CSocket(self.sock, timeout=30)
            try:
                code, result = c.send(list(args))
            finally:
                c.close()
            return result if code == 0 else None
        except Exception:
            return None

    def ready(self, timeout=120):
        wait("fail2ban to answer", lambda: os.path.exists(self.sock) and self.client("ping") is not None, timeout)
        wait("fail2ban's jail", lambda: self.status() is not None, timeout)

    def status(self):
        r = self.client("status", "asterisk")
        if not r:
            return None
        flat = {}
        def walk(x):
            if isinstance(x, (list, tuple)):
                if len(x) == 2 and isinstance(x[0], str):
                    flat[x[0]] = x[1]
                for y in x:
                    if isinstance(y, (list, tuple)):
                        walk(y)
        walk(r)
        return flat

    def total_failed(self):
        st = self.status() or {}
        return st.get("Total failed", -1)

    def bans(self):
        st = self.status() or {}
        return st.get("Currently banned", -1)

    def ban_time(self, ip):
        if not os.path.exists(self.actions):
            return None
        with open(self.actions) as f:
            for l in f:
                if l.startswith("+%s " % ip):
                    return int(l.split()[1]) / 1e6
        return None

    def stop(self):
        stop(self.p)


def append(path, data):
    with open(path, "ab") as f:
        f.write(data)


def throughput(srv, log, data, failures, done):
    srv.start(); srv.ready()
    t0 = time.time()
    for i in range(0, len(data), 1 << 20):
        append(log, data[i:i + (1 << 20)])
    wait("all lines to be processed", done, 900)
    dt = time.time() - t0
    srv.stop()
    return dt


def latency(srv, n, prefix):
    srv.start(); srv.ready()
    out = []
    for i in range(n):
        ip = "%s%d" % (prefix, i + 1)
        append(srv.log, "".join(fail_line(ip) for _ in range(MAXRETRY - 1)).encode())
        time.sleep(0.02)
        t0 = time.time()
        append(srv.log, fail_line(ip).encode())
        at = wait("the ban of " + ip, lambda: srv.ban_time(ip), 10)
        out.append((at - t0) * 1000)
    srv.stop()
    return out


def memory(srv, n, done):
    """Resident memory idle (one jail, ready, nothing to read) and then with n addresses tracked,
    each read 3 s after the work: past the launcher's 2 s native-heap trim, as a daemon sits."""
    srv.start(); srv.ready()
    time.sleep(3)
    idle = rss_kb(srv.p.pid)
    now = time.time()
    data = "".join(fail_line("2001:db8:%x:%x::7" % (0x200 + i // 65536, i % 65536), now) for i in range(n)).encode()
    append(srv.log, data)
    wait("the tracked addresses", done, 900)
    time.sleep(3)
    kb = rss_kb(srv.p.pid)
    srv.stop()
    return idle, kb


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def main():
    if not os.path.exists(JAR):
        sys.exit("build first: mvn -B -Dmaven.test.skip=true package")
    work = tempfile.mkdtemp(prefix="portcullis-bench-")
    results = {}
    try:
        start = time.time() - 240
        gen = subprocess.run([sys.executable, os.path.join(ROOT, "bench/genlog.py"), str(LINES), str(start), str(2 * 240 / LINES)], capture_output=True)
        data = gen.stdout
        failures = data.count(b"failed for") + data.count(b"rejected because")
        print("workload: %d lines (%.0f MB), %d failures, timestamps of the last 4 minutes" % (LINES, len(data) / 1e6, failures))

        for cls in (Ours, Fail2ban) if "a" in PHASES else ():
            if cls is Fail2ban and SKIP_F2B:
                continue
            base = os.path.join(work, cls.__name__ + "-a"); os.makedirs(base)
            log = os.path.join(base, "messages"); open(log, "w").close()
            srv = cls(base, log)
            done = (lambda s=srv: s.lines() >= LINES) if cls is Ours else (lambda s=srv: s.total_failed() >= failures)
            dt = throughput(srv, log, data, failures, done)
            results[(cls.name, "a")] = LINES / dt
            print("(a) %-16s %d lines in %.2f s: %.0f lines/s" % (cls.name, LINES, dt, LINES / dt), flush=True)

        for cls, n, prefix in ((Ours, LAT_OURS, "203.0.113."), (Fail2ban, LAT_F2B, "198.51.100.")) if "b" in PHASES else ():
            if cls is Fail2ban and SKIP_F2B:
                continue
            base = os.path.join(work, cls.__name__ + "-b"); os.makedirs(base)
            log = os.path.join(base, "messages"); open(log, "w").close()
            lat = []
            for chunk in range(0, n, 200):
                srv = cls(base + "/%d" % chunk if False else base, log)
                lat += latency(srv, min(200, n - chunk), prefix if chunk == 0 else "2001:db8:%x::" % chunk)
            results[(cls.name, "b")] = lat
            print("(b) %-16s ban delay over %d bans: p50 %.1f ms, p99 %.1f ms" % (cls.name, len(lat), pct(lat, 50), pct(lat, 99)), flush=True)
            # the first ban after a fresh start: a new state directory (store, log) per start, so
            # nothing is warm but what the server warms itself before it says ready
            first = []
            for k in range(FIRST_STARTS if cls is Ours or not SKIP_F2B else 0):
                fb = os.path.join(work, "%s-first-%d" % (cls.__name__, k)); os.makedirs(fb)
                flog = os.path.join(fb, "messages"); open(flog, "w").close()
                first += latency(cls(fb, flog), 1, "192.0.2." if cls is Ours else "198.51.100.2")
            if first:
                results[(cls.name, "first")] = first
                print("(b) %-16s first ban after a fresh start, %d starts: min %.1f ms, median %.1f ms, max %.1f ms"
                      % (cls.name, len(first), min(first), pct(first, 50), max(first)), flush=True)

        for cls in (Ours, Fail2ban) if "c" in PHASES else ():
            if cls is Fail2ban and SKIP_F2B:
                continue
            base = os.path.join(work, cls.__name__ + "-c"); os.makedirs(base)
            log = os.path.join(base, "messages"); open(log, "w").close()
            srv = cls(base, log)
            done = (lambda s=srv: s.lines() >= TRACKED) if cls is Ours else (lambda s=srv: s.total_failed() >= TRACKED)
            idle, kb = memory(srv, TRACKED, done)
            results[(cls.name, "c")] = kb
            results[(cls.name, "idle")] = idle
            print("(c) %-16s RSS idle with one jail: %.0f MB; with %d failing addresses tracked: %.0f MB"
                  % (cls.name, idle / 1024, TRACKED, kb / 1024), flush=True)

        if "d" not in PHASES:
            return
        base = os.path.join(work, "ours-d"); os.makedirs(base)
        log = os.path.join(base, "messages"); open(log, "w").close()
        o = Ours(base, log)
        subprocess.run(["java", "-cp", JAR, os.path.join(ROOT, "bench/StoreFill.java"), os.path.join(base, "db.sqlite3"), str(TRACKED), "asterisk"], check=True)
        t0 = time.time(); o.start(); o.ready(); wait("all bans restored", lambda: o.bans() >= TRACKED, 300); dt = time.time() - t0
        o.stop()
        results[("portcullis", "d")] = dt
        print("(d) portcullis       restart with %d active bans: %.2f s until all are in force and the socket answers" % (TRACKED, dt), flush=True)

        if SKIP_F2B:
            return
        base = os.path.join(work, "f2b-d"); os.makedirs(base)
        log = os.path.join(base, "messages"); open(log, "w").close()
        f = Fail2ban(base, log)
        f.start(); f.ready(); f.stop()
        db = sqlite3.connect(f.db)
        now = int(time.time())
        rows = [("asterisk", "2001:db8:%x:%x::1" % (0x100 + i // 65536, i % 65536), now, 86400, 1, "{}") for i in range(TRACKED)]
        db.executemany("INSERT INTO bans(jail, ip, timeofban, bantime, bancount, data) VALUES (?,?,?,?,?,?)", rows)
        db.executemany("INSERT OR REPLACE INTO bips(ip, jail, timeofban, bantime, bancount, data) VALUES (?,?,?,?,?,?)", [(r[1],) + r[:1] + r[2:] for r in rows])
        db.commit(); db.close()
        t0 = time.time(); f.start()
        try:
            f.ready(300); wait("fail2ban's restored bans", lambda: f.bans() >= TRACKED, 300)
            dt = time.time() - t0
            print("(d) fail2ban-server  restart with %d active bans: %.2f s" % (TRACKED, dt), flush=True)
        except TimeoutError as e:
            dt = None
            print("(d) fail2ban-server  restart with %d active bans: not done after 300 s (%d restored)" % (TRACKED, f.bans()), flush=True)
        f.stop()
        results[("fail2ban-server", "d")] = dt

        print()
        print("summary (ratios against fail2ban-server in this run):")
        a = results[("portcullis", "a")] / results[("fail2ban-server", "a")]
        print("  (a) throughput        %.1fx  (target >= 50x)" % a)
        print("  (b) ban delay p99     %.1f ms vs %.1f ms (target <= 10 ms)" % (pct(results[("portcullis", "b")], 99), pct(results[("fail2ban-server", "b")], 99)))
        print("  (b) first ban, fresh  max %.1f ms vs %.1f ms (target <= 10 ms)" % (max(results[("portcullis", "first")]), max(results[("fail2ban-server", "first")])))
        print("  (c) RSS, idle          %.0f MB vs %.0f MB (target <= 64 MB)" % (results[("portcullis", "idle")] / 1024, results[("fail2ban-server", "idle")] / 1024))
        print("  (c) RSS, 100k tracked %.0f MB vs %.0f MB (target <= 100 MB)" % (results[("portcullis", "c")] / 1024, results[("fail2ban-server", "c")] / 1024))
        d2 = results[("fail2ban-server", "d")]
        print("  (d) restart, 100k bans %.2f s vs %s (target <= 2 s)" % (results[("portcullis", "d")], "%.2f s" % d2 if d2 else "> 300 s"))
    finally:
        for p in PROCS:
            if p.poll() is None:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


main()
