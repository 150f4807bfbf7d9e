#!/usr/bin/env python3
"""Firewall speed, inside network namespaces this script creates (root):
  - ban 10,000 distinct addresses: time until all are in the kernel set,
    Portcullis (nftables backend) next to fail2ban-server with its nftables action;
  - restart Portcullis with 100,000 stored bans: time until all are in the kernel set, into a
    fresh namespace, then again with the kernel still holding them (a daemon's usual restart).
Every wait is bounded; namespaces and processes are removed at the end."""
import json, os, shutil, subprocess, sys, tempfile, time

from benchlib import F2B_PY, JAR, REF, ROOT, control, server_env, server_opts, stop, wait

N = int(os.environ.get("BANS", "10000"))
RESTORE = int(os.environ.get("RESTORE", "100000"))
F2B_LIMIT = int(os.environ.get("F2B_LIMIT", "600"))
SKIP_F2B = os.environ.get("SKIP_F2B") == "1"  # quick runs while developing only
SKIP_RESTORE = os.environ.get("SKIP_RESTORE") == "1"  # the ban bursts only (quick runs)
# the launcher as /usr/bin/portcullis runs it, for the CLI's ban --file (as bench/cli.sh)
LAUNCHER = os.path.join(ROOT, "packaging", "launcher")
PROCS, NAMESPACES = [], []


def sh(cmd):
    return subprocess.run(cmd, shell=True, check=True, capture_output=True, text=True).stdout


def netns(name):
    sh("ip netns add " + name)
    NAMESPACES.append(name)
    sh("ip -n %s link set lo up" % name)


def count(ns, table, setname):
    r = subprocess.run(["ip", "netns", "exec", ns, "nft", "-j", "list", "set", "inet", table, setname], capture_output=True, text=True)
    if r.returncode != 0:
        return -1
    for item in json.loads(r.stdout)["nftables"]:
        if "set" in item:
            return len(item["set"].get("elem", []))
    return -1


def applied(base):
    """Changes the server's firewall has handed to the kernel (a cheap status call)."""
    try:
        return ours_call(base, "status", [])["result"]["firewall"]["nftables"]["applied"]
    except (OSError, KeyError, ValueError, TypeError):
        return -1


def addrs(n, base):
    return ["2001:db8:%x:%x::1" % (base + i // 65536, i % 65536) for i in range(n)]


def ours_conf(base, ns):
    conf = os.path.join(base, "conf")
    os.makedirs(os.path.join(conf, "filter.d"))
    shutil.copy(os.path.join(ROOT, "config/filter.d/asterisk.conf"), os.path.join(conf, "filter.d"))
    open(os.path.join(base, "messages"), "w").close()
    with open(os.path.join(conf, "portcullis.conf"), "w") as f:
        f.write("[Definition]\nlogtarget = %s/server.log\nsocket = %s/s.sock\npidfile = %s/p.pid\ndbfile = %s/db.sqlite3\nnetns = %s\n" % (base, base, base, base, ns))
    with open(os.path.join(conf, "jail.conf"), "w") as f:
        f.write("[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = %s/messages\nbantime = 1d\nignoreself = false\naction = firewall\n" % base)
    return conf


def ours_call(base, command, args):
    return control(os.path.join(base, "s.sock"), command, args, timeout=600)


def start_ours(base, conf):
    p = subprocess.Popen(["java"] + server_opts() + os.environ.get("EXTRA_JVM", "").split() + ["-jar", JAR, "server", "--config", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=server_env())
    PROCS.append(p)
    def answers():
        try:
            return ours_call(base, "ping", []).get("result") == "pong"
        except (OSError, ValueError):
            return False
    wait("portcullis to answer", answers, 120, 0.01)
    return p


def fail2ban_phase(work, tag):
    ns2 = "pcfw-f-" + tag
    netns(ns2)
    fb = os.path.join(work, "f2b"); os.makedirs(fb)
    fconf = os.path.join(fb, "conf")
    shutil.copytree(os.path.join(REF, "etc/fail2ban"), fconf)
    for n in os.listdir(os.path.join(fconf, "jail.d")):
        os.remove(os.path.join(fconf, "jail.d", n))
    open(os.path.join(fb, "messages"), "w").close()
    with open(os.path.join(fconf, "fail2ban.local"), "w") as f:
        f.write("[Definition]\nloglevel = WARNING\nlogtarget = %s/f2b.log\nsocket = %s/f.sock\npidfile = %s/f.pid\ndbfile = %s/db\n" % (fb, fb, fb, fb))
    with open(os.path.join(fconf, "jail.local"), "w") as f:
        f.write("[asterisk]\nenabled = true\nfilter = asterisk\nlogpath = %s/messages\nbantime = 1d\nignoreself = false\nbanaction = nftables-allports\naction = nftables-allports\n" % fb)
    env = dict(os.environ, PYTHONPATH=F2B_PY)
    fp = subprocess.Popen(["ip", "netns", "exec", ns2, "/usr/bin/python3", os.path.join(REF, "usr/bin/fail2ban-server"), "-f", "-x", "-c", fconf],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    PROCS.append(fp)
    sys.path.insert(0, F2B_PY)
    from fail2ban.client.csocket import CSocket
    wait("fail2ban", lambda: os.path.exists(os.path.join(fb, "f.sock")), 120, 0.01)
    time.sleep(2)
    fips = addrs(N, 0x20)
    t0 = time.time()
    c = CSocket(os.path.join(fb, "f.sock"), timeout=600)
    c.send(["set", "asterisk", "banip"] + fips)
    c.close()
    try:
        done = wait("fail2ban's bans", lambda: count(ns2, "f2b-table", "addr6-set-asterisk") >= N, F2B_LIMIT, 0.01)
    except TimeoutError:
        print("  (gave up waiting for fail2ban's bans after %d s)" % F2B_LIMIT)
        done = False
    theirs = time.time() - t0
    got = count(ns2, "f2b-table", "addr6-set-asterisk")
    if done:
        print("fail2ban-server  %d bans in the kernel set in %.2f s" % (N, theirs), flush=True)
    else:
        print("fail2ban-server  %d of %d bans in the kernel set after %.0f s" % (got, N, theirs), flush=True)
    stop(fp, 60)
    return done, theirs


def main():
    work = tempfile.mkdtemp(prefix="portcullis-fw-")
    tag = str(os.getpid())
    try:
        # Portcullis: N bans through the real path (command -> jail -> action -> batched nft)
        ns = "pcfw-o-" + tag
        netns(ns)
        base = os.path.join(work, "ours"); os.makedirs(base)
        conf = ours_conf(base, ns)
        p = start_ours(base, conf)
        # first burst right after start (cold JIT), then a second one (a daemon that has been running)
        ips = addrs(N, 0x10)
        t0 = time.time()
        ours_call(base, "ban", ["asterisk"] + ips)
        wait("portcullis' bans", lambda: applied(base) >= N, 300, 0.01)
        cold = time.time() - t0
        assert count(ns, "portcullis", "asterisk-v6") >= N
        print("portcullis       %d bans in the kernel set in %.2f s (first burst after start)" % (N, cold), flush=True)
        ips2 = addrs(N, 0x30)
        t0 = time.time()
        ours_call(base, "ban", ["asterisk"] + ips2)
        wait("portcullis' second bans", lambda: applied(base) >= 2 * N, 300, 0.01)
        ours = time.time() - t0
        assert count(ns, "portcullis", "asterisk-v6") >= 2 * N
        print("portcullis       %d more bans in the kernel set in %.2f s (running server)" % (N, ours), flush=True)
        # the CLI: portcullis ban asterisk --file with N addresses (a JVM start, the file read, the
        # request), until the command returns and until all are in the kernel set
        listing = os.path.join(base, "list.txt")
        with open(listing, "w") as f:
            f.write("\n".join(addrs(N, 0x50)) + "\n")
        t0 = time.time()
        subprocess.run([LAUNCHER, "ban", "asterisk", "--file", listing, "--socket", os.path.join(base, "s.sock")],
                       check=True, capture_output=True, env=dict(os.environ, PORTCULLIS_JAR=JAR), timeout=600)
        returned = time.time() - t0
        wait("the CLI's bans", lambda: applied(base) >= 3 * N, 300, 0.01)
        cli_file = time.time() - t0
        assert count(ns, "portcullis", "asterisk-v6") >= 3 * N
        print("portcullis       ban --file with %d addresses (CLI): returned after %.2f s, all in the kernel set %.2f s (target <= 1 s)" % (N, returned, cli_file), flush=True)
        stop(p, 60)
        if SKIP_RESTORE:
            return

        # fail2ban-server with its own nftables action, in its own namespace
        done, theirs = fail2ban_phase(work, tag) if not SKIP_F2B else (False, 0.0)

        # restart with RESTORE stored bans
        ns3 = "pcfw-r-" + tag
        netns(ns3)
        rb = os.path.join(work, "restore"); os.makedirs(rb)
        rconf = ours_conf(rb, ns3)
        subprocess.run(["java", "-cp", JAR, os.path.join(ROOT, "bench/StoreFill.java"), os.path.join(rb, "db.sqlite3"), str(RESTORE), "asterisk"], check=True)
        t0 = time.time()
        p = start_ours(rb, rconf)
        # the server says when the kernel accepted them; the set is listed once to check it
        wait("the restored bans in the kernel", lambda: applied(rb) >= RESTORE, 300, 0.01)
        restore = time.time() - t0
        assert count(ns3, "portcullis", "asterisk-v6") >= RESTORE
        print("portcullis       restart with %d stored bans: all in the kernel set %.2f s after start" % (RESTORE, restore), flush=True)
        stop(p, 60)
        # the usual restart of a daemon: the kernel kept the sets and their elements
        t0 = time.time()
        p = start_ours(rb, rconf)
        ready = time.time() - t0
        wait("the restored bans in the kernel", lambda: applied(rb) >= RESTORE, 300, 0.01)
        again = time.time() - t0
        assert count(ns3, "portcullis", "asterisk-v6") >= RESTORE
        print("portcullis       restart again, the kernel still holding the %d: answers after %.2f s, all applied %.2f s after start" % (RESTORE, ready, again), flush=True)
        stop(p, 60)

        # the floor: nft alone putting the same elements (statements of 5,000, a day's timeout
        # each, as the server writes them) into a plain timeout set, from a file
        ns4 = "pcfw-n-" + tag
        netns(ns4)
        batch = os.path.join(work, "floor.nft")
        with open(batch, "w") as f:
            f.write("add table inet floor\nadd set inet floor s { type ipv6_addr; flags timeout; }\n")
            for start in range(0, RESTORE, 5000):
                f.write("add element inet floor s { " + ", ".join(
                    "2001:db8:%x:%x::1 timeout 86400s" % (0x100 + i // 65536, i % 65536)
                    for i in range(start, min(RESTORE, start + 5000))) + " }\n")
        t0 = time.time()
        subprocess.run(["ip", "netns", "exec", ns4, "nft", "-f", batch], check=True)
        floor = time.time() - t0
        assert count(ns4, "floor", "s") >= RESTORE
        print("nft alone        %d elements from a file (nft -f): %.2f s (the floor of the restore)" % (RESTORE, floor), flush=True)

        print()
        if done:
            print("summary: %d bans %.2f s (first burst %.2f s) vs %.2f s (%.0fx; first burst %.0fx; target <= 1 s and >= 100x); restore of %d bans %.2f s (target <= 2 s; nft alone %.2f s)" % (N, ours, cold, theirs, theirs / ours, theirs / cold, RESTORE, restore, floor))
        else:
            print("summary: %d bans %.2f s vs more than %.0f s for fail2ban (> %.0fx, target <= 1 s and >= 100x); restore of %d bans %.2f s (target <= 2 s; nft alone %.2f s)" % (N, ours, theirs, theirs / ours, RESTORE, restore, floor))
    finally:
        for p in PROCS:
            if p.poll() is None:
                p.kill()
        for ns in NAMESPACES:
            subprocess.run(["ip", "netns", "del", ns])
        shutil.rmtree(work, ignore_errors=True)


main()
