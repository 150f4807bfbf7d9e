#!/usr/bin/env python3
"""The portcullis client vs fail2ban-client, same machine, same run, each against its own running
server: `ping`, `status`, `status asterisk`, `ban` of one address, and a ban of 10,000 addresses
from a file (portcullis `ban asterisk --file`, fail2ban-client `set asterisk banip` with them all
as arguments) until the command returns. Each short command runs RUNS times, the two clients taking
turns; prints the median and the range of the wall time and the median CPU time (user + system) of
the client process, which a busy machine disturbs less. Every wait is bounded; every process started here is stopped
by PID."""
import os, resource, shutil, statistics, subprocess, sys, tempfile, time

from benchlib import F2B_PY, JAR, REF, ROOT, control, server_env, server_opts, stop, wait

RUNS = int(os.environ.get("RUNS", "10"))
BULK = int(os.environ.get("BULK", "10000"))
# fail2ban-client's banip of a long list takes minutes (2,000 addresses: 366 s in a trial run)
F2B_BULK = os.environ.get("F2B_BULK") == "1"
# the launcher as /usr/bin/portcullis runs it (the checkout's ./portcullis would add a bash start and
# a walk of src/main to check that the jar is current; bench/cli.sh builds it when missing)
LAUNCHER = os.path.join(ROOT, "packaging", "launcher")


def timed(argv, env=None, stdin=None):
    """Wall seconds and CPU seconds of one run of argv (which must succeed)."""
    t = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, stdin=stdin)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    if p.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (" ".join(argv[:4]), p.returncode, err.strip()))
    return wall, ru.ru_utime + ru.ru_stime


def ours(base, log):
    conf = os.path.join(base, "conf")
    os.makedirs(os.path.join(conf, "filter.d"))
    shutil.copy(os.path.join(ROOT, "config/filter.d/asterisk.conf"), os.path.join(conf, "filter.d"))
    sock = os.path.join(base, "s.sock")
    with open(os.path.join(conf, "portcullis.conf"), "w") as f:
        f.write("[Definition]\nloglevel = INFO\nlogtarget = %s/server.log\nsocket = %s\npidfile = %s/p.pid\ndbfile = %s/db.sqlite3\n"
                % (base, sock, base, base))
    with open(os.path.join(conf, "jail.conf"), "w") as f:
        f.write("[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = %s\nmaxretry = 5\nfindtime = 10m\nbantime = 1h\n"
                "logtimezone = UTC\nignoreself = false\nignoreip =\nallowtime = 0\naction = log[file=%s/actions.log]\n" % (log, base))
    p = subprocess.Popen(["java"] + server_opts() + ["-jar", JAR, "server", "--config", conf],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=server_env())
    def answers():
        try:
            return control(sock, "ping").get("result") == "pong"
        except (OSError, ValueError):
            return False
    wait("portcullis to answer", answers, 60)
    return p, [LAUNCHER], ["--config", conf], dict(os.environ, PORTCULLIS_JAR=JAR)


def fail2ban(base, log):
    conf = os.path.join(base, "conf")
    shutil.copytree(os.path.join(REF, "etc/fail2ban"), conf)
    shutil.copy(os.path.join(ROOT, "config/filter.d/asterisk.conf"), os.path.join(conf, "filter.d", "portcullis-asterisk.conf"))
    sock = os.path.join(base, "f.sock")
    with open(os.path.join(conf, "fail2ban.local"), "w") as f:
        f.write("[Definition]\nloglevel = INFO\nlogtarget = %s/f2b.log\nsocket = %s\npidfile = %s/f.pid\ndbfile = %s/f2b.sqlite3\n" % (base, sock, base, base))
    for n in os.listdir(os.path.join(conf, "jail.d")):
        os.remove(os.path.join(conf, "jail.d", n))
    with open(os.path.join(conf, "jail.local"), "w") as f:
        f.write("[DEFAULT]\nignoreself = false\nignoreip =\nbackend = auto\n"
                "[asterisk]\nenabled = true\nfilter = portcullis-asterisk\nlogpath = %s\nmaxretry = 5\nfindtime = 10m\nbantime = 1h\n"
                "logtimezone = UTC\naction = dummy\n" % log)
    env = dict(os.environ, PYTHONPATH=F2B_PY)
    p = subprocess.Popen(["/usr/bin/python3", os.path.join(REF, "usr/bin/fail2ban-server"), "-f", "-x", "-c", conf],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    client = ["/usr/bin/python3", os.path.join(REF, "usr/bin/fail2ban-client"), "-c", conf, "-s", sock]
    def answers():
        try:
            subprocess.run(client + ["status", "asterisk"], check=True, capture_output=True, env=env, timeout=30)
            return True
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            return False
    wait("fail2ban to answer", answers, 120, every=0.2)
    return p, client, [], env


def addr(i, net):
    return "2001:db8:%x:%x::%x" % (net, i // 65536, i % 65536 + 1)


def main():
    if not os.path.exists(JAR) or not os.path.exists(os.path.join(ROOT, "target", "portcullis.jsa")):
        sys.exit("build first: mvn -B -Dmaven.test.skip=true package (the jar and its CDS archive)")
    work = tempfile.mkdtemp(prefix="portcullis-bench-cli-")
    procs, rows, sides = [], {}, []
    try:
        # both servers run at once and the two clients take turns, run by run, so that a change in
        # the machine's load falls on both alike
        for name, start, net in (("portcullis", ours, 1), ("fail2ban-client", fail2ban, 2)):
            base = os.path.join(work, name)
            os.makedirs(base)
            log = os.path.join(base, "messages")
            open(log, "w").close()
            p, client, opts, env = start(base, log)
            procs.append(p)
            sides.append((name, net, base, client, opts, env))
        for case in ("ping", "status", "status asterisk", "ban (one address)"):
            for i in range(RUNS):
                for name, net, base, client, opts, env in sides:
                    if case == "ban (one address)":
                        args = ["ban", "asterisk", addr(i, net)] if name == "portcullis" else ["set", "asterisk", "banip", addr(i, net)]
                    else:
                        args = case.split()
                    rows.setdefault((name, case), []).append(timed(client + args + opts, env))
            for name, *_ in sides:
                runs = rows[(name, case)]
                walls = [w for w, _ in runs]
                print("%-16s %-18s wall median %.3f s (%.3f-%.3f)  cpu median %.3f s" % (
                    name, case, statistics.median(walls), min(walls), max(walls), statistics.median(c for _, c in runs)), flush=True)
        for name, net, base, client, opts, env in sides:
            ips = [addr(i, net + 16) for i in range(BULK)]
            if name == "portcullis":
                path = os.path.join(base, "list.txt")
                with open(path, "w") as f:
                    f.write("\n".join(ips) + "\n")
                w, c = timed(client + ["ban", "asterisk", "--file", path] + opts, env)
            elif F2B_BULK:
                w, c = timed(client + ["set", "asterisk", "banip"] + ips, env)
            else:
                print("%-16s ban %d addresses  not run (minutes; F2B_BULK=1 runs it)" % (name, BULK), flush=True)
                continue
            rows[(name, "bulk")] = [(w, c)]
            print("%-16s ban %d addresses  wall %.3f s  cpu %.3f s (until the command returns)" % (name, BULK, w, c), flush=True)
        print("summary (portcullis against fail2ban-client in this run; target <= 1.5x for the short commands):")
        for case in ("ping", "status", "status asterisk", "ban (one address)"):
            a = statistics.median(w for w, _ in rows[("portcullis", case)])
            b = statistics.median(w for w, _ in rows[("fail2ban-client", case)])
            ca = statistics.median(c for _, c in rows[("portcullis", case)])
            cb = statistics.median(c for _, c in rows[("fail2ban-client", case)])
            worst = max(w for w, _ in rows[("portcullis", case)]) / min(w for w, _ in rows[("fail2ban-client", case)])
            print("  %-18s %.3f s vs %.3f s: %.2fx; cpu %.3f s vs %.3f s: %.2fx (worst portcullis run against the best fail2ban-client run: %.2fx)"
                  % (case, a, b, a / b, ca, cb, ca / cb, worst))
        theirs = rows.get(("fail2ban-client", "bulk"))
        print("  ban %d addresses   %.3f s vs %s (target <= 1 s until all are in the kernel: bench/firewall.sh)" % (
            BULK, rows[("portcullis", "bulk")][0][0], "%.3f s" % theirs[0][0] if theirs else "not run"))
        print("load average at the end: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
    finally:
        for p in procs:
            stop(p)
        shutil.rmtree(work, ignore_errors=True)


main()
