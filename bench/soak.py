#!/usr/bin/env python3
"""fail2ban-server's side of bench/soak.sh (root): the same kill -9 soak as CrashSoakIT, on
Debian's fail2ban-server with its nftables-allports action in a network namespace this script
creates. One client floods `set asterisk banip` with 1-20 new addresses at a time; a ban counts as
acknowledged when fail2ban answered it. At a random moment 0.3-2.5 s into the flood the server is
killed with SIGKILL and started again; then the acknowledged bans are looked for in fail2ban's ban
list (`get asterisk banip`, what it restored from its database) and in the kernel set. Every wait
is bounded; the namespace and the processes are removed at the end.
  F2B_ROUNDS=10 (default)"""
import os, random, shutil, signal, subprocess, sys, tempfile, time

from benchlib import F2B_PY, REF, wait

ROUNDS = int(os.environ.get("F2B_ROUNDS", "10"))
SEED = int(os.environ.get("SEED", str(time.time_ns())))
PROCS, NAMESPACES = [], []
sys.path.insert(0, F2B_PY)
from fail2ban.client.csocket import CSocket  # noqa: E402


def sh(cmd):
    return subprocess.run(cmd, shell=True, check=True, capture_output=True, text=True).stdout


def kernel(ns):
    """The addresses in fail2ban's IPv6 set, or an empty set when there is none (yet)."""
    r = subprocess.run(["ip", "netns", "exec", ns, "nft", "list", "set", "inet", "f2b-table", "addr6-set-asterisk"], capture_output=True, text=True)
    if r.returncode != 0:
        return set()
    text = r.stdout.replace("\n", " ")
    if "elements = {" not in text:
        return set()
    inner = text.split("elements = {", 1)[1].split("}", 1)[0]
    return {e.strip().split(" ")[0] for e in inner.split(",") if e.strip()}


def call(sock, cmd, timeout=30):
    c = CSocket(sock, timeout=timeout)
    try:
        code, value = c.send(cmd)
    finally:
        c.close()
    if code != 0:
        raise RuntimeError("fail2ban answered %r to %r" % (value, cmd[:3]))
    return value


def start(ns, fb, fconf):
    env = dict(os.environ, PYTHONPATH=F2B_PY)
    # ip netns exec execs the command: the pid is fail2ban-server's own
    p = subprocess.Popen(["ip", "netns", "exec", ns, "/usr/bin/python3", os.path.join(REF, "usr/bin/fail2ban-server"), "-f", "-x", "-c", fconf],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    PROCS.append(p)
    sock = os.path.join(fb, "f.sock")

    def answers():
        try:
            return call(sock, ["ping"], 5) == "pong"
        except Exception:
            return False
    wait("fail2ban-server to answer", answers, 120, 0.05)
    return p, sock


def banned(sock):
    return {str(ip) for ip in call(sock, ["get", "asterisk", "banip"], 60)}


def settled(sock):
    """fail2ban's ban list once it stopped growing (it restores from its database after start)."""
    last, since = None, time.time()
    end = time.time() + 120
    while time.time() < end:
        now = banned(sock)
        if now != last:
            last, since = now, time.time()
        elif time.time() - since >= 3:
            return now
        time.sleep(0.2)
    return last


def main():
    rnd = random.Random(SEED)
    work = tempfile.mkdtemp(prefix="portcullis-soak-")
    ns = "pcsoak-f-%d" % os.getpid()
    try:
        sh("ip netns add " + ns)
        NAMESPACES.append(ns)
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
        p, sock = start(ns, fb, fconf)
        acked, next_ip = set(), 0
        lost_list_total, lost_kernel_total = 0, 0
        for rnd_no in range(1, ROUNDS + 1):
            kill_at = time.time() + 0.3 + rnd.random() * 2.2
            while True:
                n = rnd.randint(1, 20)
                ips = ["2001:db8:5a:%x::1" % (next_ip + i) for i in range(n)]
                next_ip += n
                if time.time() >= kill_at:
                    break
                call(sock, ["set", "asterisk", "banip"] + ips, 60)
                acked.update(ips)
            # between two answered commands: what it answered is what it should keep
            os.kill(p.pid, signal.SIGKILL)
            p.wait(30)
            p, sock = start(ns, fb, fconf)
            now = settled(sock)
            k = kernel(ns)
            lost_list = len(acked - now)
            lost_kernel = len(acked - k)
            lost_list_total += lost_list
            lost_kernel_total += lost_kernel
            print("fail2ban-server  round %d: %d acknowledged bans so far, %d not in its ban list after the restart, %d not in the kernel set" % (rnd_no, len(acked), lost_list, lost_kernel), flush=True)
            # what it lost stays lost: the next round counts from what it holds now
            acked &= now
        print("fail2ban-server  soak: %d rounds of kill -9 (seed %d): %d acknowledged bans lost from its ban list (the database), %d missing from the kernel set, over all rounds" % (ROUNDS, SEED, lost_list_total, lost_kernel_total), flush=True)
    finally:
        for q in PROCS:
            if q.poll() is None:
                q.kill()
                q.wait(10)
        for n in NAMESPACES:
            subprocess.run(["ip", "netns", "del", n])
        shutil.rmtree(work, ignore_errors=True)


main()
