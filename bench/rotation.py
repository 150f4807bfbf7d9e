#!/usr/bin/env python3
"""Lines lost across log rotation: Portcullis server vs fail2ban-server, same writer, same run.

For each daemon, load (2,000 lines/s rotating every 0.5 s; 25,000 lines/s rotating every 0.3 s)
and rotation mode, a fresh daemon reads a log that a writer fills with numbered asterisk failure
lines while rotating it; afterwards the jail's failure count is compared with the lines written.
The modes are those of src/test/java/io/portcullis/source/RotatingWriter.java:

  rename-late      rename + create; the writer appends 200 late lines to the renamed file
                   (4 writes, 2 ms apart) before it reopens, as Asterisk until `logger reload`
  rename-glob-gz   the same with logpath messages* and the rotated files gzipped (delaycompress)
  copytruncate     copy to messages.N, truncate; the writer appends on (O_APPEND)
  copytruncate-glob  the same with logpath messages*, which matches the copies too
  delete           delete, then the writer creates the log again
  truncate         truncate to zero, once the daemon has counted what was there (bounded 10 s)
  symlink          messages is a symlink swapped to a new file; late writes to the old one

lost = written - counted (a daemon that counts a line twice shows fewer lost, or a negative
number). Every wait is bounded; every process started here is stopped by PID.
"""
import gzip, os, shutil, subprocess, sys, tempfile, time

from benchlib import F2B_PY, JAR, REF, ROOT, control, server_env, server_opts, stop, wait

PROCS = []
MODES = os.environ.get("MODES", "rename-late rename-glob-gz copytruncate copytruncate-glob delete truncate symlink").split()
LOADS = [(2_000, 0.5, int(os.environ.get("LINES_SLOW", "20000"))),
         (25_000, 0.3, int(os.environ.get("LINES_FAST", "75000")))]
DAEMONS = os.environ.get("DAEMONS", "portcullis fail2ban").split()
LATE = 200
GLOB = {"rename-glob-gz", "copytruncate-glob"}


def ts(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


def line(seq, t):
    host = seq % 508
    ip = "203.0.113.%d" % (host + 1) if host < 254 else "198.51.100.%d" % (host - 253)
    return "[%s] NOTICE[1] chan_sip.c: Registration from '<sip:%d@x>' failed for '%s' - Wrong password\n" % (ts(t), seq, ip)


def jail_options(log):
    return ("logpath = %s\nmaxretry = 1000000\nfindtime = 10m\nbantime = 1h\nlogtimezone = UTC\n"
            "ignoreself = false\nignoreip =\n" % log)


class Ours:
    name = "portcullis"

    def __init__(self, base, logpath):
        self.base = base
        self.conf = os.path.join(base, "conf")
        os.makedirs(os.path.join(self.conf, "filter.d"))
        shutil.copy(os.path.join(ROOT, "config/filter.d/asterisk.conf"), os.path.join(self.conf, "filter.d"))
        self.sock = os.path.join(base, "s.sock")
        with open(os.path.join(self.conf, "portcullis.conf"), "w") as f:
            f.write("[Definition]\nloglevel = NOTICE\nlogtarget = %s/server.log\nsocket = %s\npidfile = %s/p.pid\ndbfile = %s/db.sqlite3\n"
                    % (base, self.sock, base, base))
        with open(os.path.join(self.conf, "jail.conf"), "w") as f:
            f.write("[asterisk]\nenabled = true\nfilter = asterisk\n" + jail_options(logpath)
                    + "allowtime = 0\naction = log[file=%s/actions.log]\n" % base)

    def start(self):
        self.p = subprocess.Popen(["java"] + server_opts() + ["-jar", JAR, "server", "--config", self.conf],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=server_env())
        PROCS.append(self.p)
        wait("portcullis to follow the log", lambda: (self.status() or {}).get("files"), 60)

    def status(self):
        try:
            r = control(self.sock, "status", ["asterisk"])
            return r.get("result") if r.get("ok") else None
        except (OSError, ValueError):
            return None

    def counted(self):
        s = self.status()
        return s["failures"]["total"] if s else -1

    def stop(self):
        stop(self.p)


class Fail2ban:
    name = "fail2ban-server"

    def __init__(self, base, logpath):
        self.conf = os.path.join(base, "conf")
        shutil.copytree(os.path.join(REF, "etc/fail2ban"), self.conf)
        shutil.copy(os.path.join(ROOT, "config/filter.d/asterisk.conf"), os.path.join(self.conf, "filter.d", "portcullis-asterisk.conf"))
        self.sock = os.path.join(base, "f.sock")
        with open(os.path.join(self.conf, "fail2ban.local"), "w") as f:
            f.write("[Definition]\nloglevel = NOTICE\nlogtarget = %s/f2b.log\nsocket = %s\npidfile = %s/f.pid\ndbfile = %s/f2b.sqlite3\n"
                    % (base, self.sock, base, base))
        for n in os.listdir(os.path.join(self.conf, "jail.d")):
            os.remove(os.path.join(self.conf, "jail.d", n))
        with open(os.path.join(self.conf, "jail.local"), "w") as f:
            f.write("[DEFAULT]\nbackend = auto\n[asterisk]\nenabled = true\nfilter = portcullis-asterisk\n"
                    + jail_options(logpath) + "action =\n")

    def start(self):
        env = dict(os.environ, PYTHONPATH=F2B_PY)
        self.p = subprocess.Popen(["/usr/bin/python3", os.path.join(REF, "usr/bin/fail2ban-server"), "-f", "-x", "-c", self.conf],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        PROCS.append(self.p)
        wait("fail2ban's jail", lambda: self.counted() >= 0, 120)

    def counted(self):
        if F2B_PY not in sys.path:
            sys.path.insert(0, F2B_PY)
        from fail2ban.client.csocket import CSocket
        try:
            c = CSocket(self.sock, timeout=30)
            try:
                code, result = c.send(["status", "asterisk"])
            finally:
                c.close()
        except Exception:
            return -1
        if code != 0:
            return -1
        flat = {}

        def walk(x):
            if isinstance(x, (list, tuple)):
                if len(x) == 2 and isinstance(x[0], str):
                    flat[x[0]] = x[1]
                for y in x:
                    if isinstance(y, (list, tuple)):
                        walk(y)
        walk(result)
        return flat.get("Total failed", -1)

    def stop(self):
        stop(self.p)


class Writer:
    """Writes numbered lines at a rate and rotates the log under itself (see the module doc)."""

    def __init__(self, d, mode, rate, every, caught_up):
        self.d, self.mode, self.rate, self.every, self.caught_up = d, mode, rate, every, caught_up
        self.log = os.path.join(d, "messages")
        self.rotations = self.late_lines = 0
        self.paused = 0.0  # waiting for the daemon before truncations: left out of pace and rate
        if mode == "symlink":
            self.current = os.path.join(d, "messages-0")
            open(self.current, "w").close()
            os.symlink("messages-0", self.log)
        else:
            self.current = self.log
            open(self.log, "w").close()
        self.fd = os.open(self.current, os.O_WRONLY | os.O_APPEND)

    def logpath(self):
        return os.path.join(self.d, "messages*" if self.mode in GLOB else "messages")

    def write(self, total):
        start = time.perf_counter()
        next_rotation = start + self.every
        seq = 0
        while seq < total:
            now = time.perf_counter()
            if now >= next_rotation:
                paused = self.paused
                seq = self.rotate(seq, total)
                # each file lives at least one interval of wall time, as under a rotation job run
                # every interval: a starved writer does not rotate again right after catching up
                next_rotation = max(next_rotation + self.every + (self.paused - paused),
                                    now + self.every + (self.paused - paused))
                continue
            due = min(total, int((now - start - self.paused) * self.rate))
            if due <= seq:
                time.sleep(0.0002)
                continue
            t = time.time()
            os.write(self.fd, "".join(line(i, t) for i in range(seq, due)).encode())
            seq = due
        os.close(self.fd)
        return total / (time.perf_counter() - start - self.paused)

    def late(self, seq, total):
        for _ in range(4):
            to = min(total, seq + LATE // 4)
            t = time.time()
            os.write(self.fd, "".join(line(i, t) for i in range(seq, to)).encode())
            self.late_lines += to - seq
            seq = to
            time.sleep(0.002)
        return seq

    def reopen(self, path):
        os.close(self.fd)
        self.current = path
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def rotate(self, seq, total):
        self.rotations += 1
        n = self.rotations
        m = self.mode
        if m in ("rename-late", "rename-glob-gz"):
            os.rename(self.log, "%s.%d" % (self.log, n))
            open(self.log, "w").close()  # logrotate's create
            seq = self.late(seq, total)
            self.reopen(self.log)
            if m == "rename-glob-gz" and n > 1:
                old = "%s.%d" % (self.log, n - 1)
                with open(old, "rb") as src, gzip.open(old + ".gz", "wb") as dst:
                    shutil.copyfileobj(src, dst)
                os.remove(old)
        elif m in ("copytruncate", "copytruncate-glob"):
            shutil.copyfile(self.log, "%s.%d" % (self.log, n))
            os.truncate(self.log, 0)
        elif m == "delete":
            os.remove(self.log)
            self.reopen(self.log)
        elif m == "truncate":
            t0 = time.perf_counter()
            while not self.caught_up(seq) and time.perf_counter() < t0 + 10:
                time.sleep(0.01)  # asking costs the daemon too
            self.paused += time.perf_counter() - t0
            os.truncate(self.log, 0)
        elif m == "symlink":
            nxt = os.path.join(self.d, "messages-%d" % n)
            open(nxt, "w").close()
            tmp = os.path.join(self.d, "messages.tmp-link")
            os.symlink(os.path.basename(nxt), tmp)
            os.replace(tmp, self.log)
            seq = self.late(seq, total)
            self.reopen(nxt)
        return seq


def settle(srv, total, limit):
    """Waits until the daemon counted everything, or its count stopped moving for 5 s."""
    end = time.time() + limit
    last, since = -2, time.time()
    while time.time() < end:
        c = srv.counted()
        if c >= total:
            time.sleep(1)  # anything counted twice shows up within this second
            return srv.counted()
        if c != last:
            last, since = c, time.time()
        elif time.time() - since > 5:
            return c
        time.sleep(0.05)
    return srv.counted()


def run(cls, work, mode, rate, every, total):
    base = tempfile.mkdtemp(prefix="%s-%s-%d-" % (cls.__name__, mode, rate), dir=work)
    logdir = os.path.join(base, "logs")
    os.makedirs(logdir)
    holder = {}
    w = Writer(logdir, mode, rate, every, lambda written: holder["srv"].counted() >= written)
    srv = cls(base, w.logpath())
    holder["srv"] = srv
    srv.start()
    try:
        achieved = w.write(total)
        counted = settle(srv, total, 600)
    finally:
        srv.stop()
    shutil.rmtree(base, ignore_errors=True)
    return achieved, w.rotations, w.late_lines, w.paused, counted


def main():
    if not os.path.exists(JAR):
        sys.exit("build first: mvn -B -Dmaven.test.skip=true package")
    work = tempfile.mkdtemp(prefix="portcullis-rotation-")
    rows = []
    try:
        for rate, every, total in LOADS:
            for mode in MODES:
                row = {"mode": mode, "rate": rate, "every": every, "total": total}
                for name in DAEMONS:
                    cls = Ours if name == "portcullis" else Fail2ban
                    achieved, rotations, late, paused, counted = run(cls, work, mode, rate, every, total)
                    row[name] = total - counted
                    print("%-16s %-18s %6d lines at %6.0f lines/s, rotation every %.1f s (%d rotations, %d late lines, %.1f s paused): counted %d, lost %d"
                          % (cls.name, mode, total, achieved, every, rotations, late, paused, counted, total - counted), flush=True)
                rows.append(row)
        print()
        print("| mode | load | rotation every | lines written | lost: Portcullis | lost: fail2ban-server |")
        print("| --- | --- | --- | --- | --- | --- |")
        for r in rows:
            print("| %s | %d lines/s | %.1f s | %d | %s | %s |" % (
                r["mode"], r["rate"], r["every"], r["total"], r.get("portcullis", "-"), r.get("fail2ban", "-")))
    finally:
        for p in PROCS:
            if p.poll() is None:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


main()
