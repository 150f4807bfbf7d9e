"""What bench/daemon.py and bench/firewall.py share: paths, the server's JVM options, bounded
waits, stopping a process by PID, and the server's control protocol."""
import json, os, re, signal, socket, subprocess, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REF = os.path.join(ROOT, "target", "reference")
JAR = os.path.join(ROOT, "target", "portcullis.jar")
F2B_PY = os.path.join(REF, "usr/lib/python3/dist-packages")


def server_opts():
    """The JVM options the launcher gives a server (read from it, so they stay the same); the jar
    is run directly so that a source edit never triggers a rebuild mid-run."""
    # the options live in packaging/launcher (the installed /usr/bin/portcullis and ./portcullis
    # both run it); a bench that finds none would measure a JVM sized for the whole machine
    if os.environ.get("PORTCULLIS_JAVA_OPTS"):
        # as in the launcher: they replace its options (to compare two sets in the same run)
        return os.environ["PORTCULLIS_JAVA_OPTS"].split()
    text = open(os.path.join(ROOT, "packaging", "launcher")).read()
    m = re.search(r'\n\s*server\).*?default_opts="([^"]*)"', text, re.S)
    if not m:
        raise SystemExit("bench: no server JVM options found in packaging/launcher")
    opts = m.group(1).split()
    # as the launcher: the server's class-data-sharing archive recorded with the jar, when there
    # and PORTCULLIS_SERVER_CDS=1
    archive = JAR[: -len(".jar")] + "-server.jsa"
    if os.environ.get("PORTCULLIS_SERVER_CDS") == "1" and os.path.isfile(archive):
        opts += ["-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
    native = JAR[: -len(".jar")] + "-native"
    if os.path.isfile(os.path.join(native, "libsqlitejdbc.so")):
        opts += ["-Dorg.sqlite.lib.path=" + native, "-Dorg.sqlite.lib.name=libsqlitejdbc.so"]
    return opts


def server_env():
    """The environment the launcher gives a server: this one plus the variables its server case
    exports with a default (export NAME="${NAME:-value}", e.g. MALLOC_ARENA_MAX)."""
    text = open(os.path.join(ROOT, "packaging", "launcher")).read()
    m = re.search(r'\n\s*server\)(.*?);;', text, re.S)
    env = dict(os.environ)
    for name, value in re.findall(r'export (\w+)="\$\{\w+:-([^}]*)\}"', m.group(1) if m else ""):
        env.setdefault(name, value)
    return env


def wait(what, cond, timeout, every=0.005):
    """Polls cond until it returns something true (returned) or timeout seconds pass (raises)."""
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(every)
    raise TimeoutError("timed out after %ss waiting for %s" % (timeout, what))


def stop(p, grace=30):
    """SIGTERM, then SIGKILL after grace seconds."""
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(10)


def control(sock, command, args=(), timeout=30):
    """One request on the server's control socket (docs/protocol.md); returns the whole reply.
    Raises OSError or ValueError when the server does not answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
        c.settimeout(timeout)
        c.connect(sock)
        c.sendall((json.dumps({"version": 1, "command": command, "args": list(args)}) + "\n").encode())
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = c.recv(65536)
            if not chunk:
                break
            buf += chunk
    return json.loads(buf)
