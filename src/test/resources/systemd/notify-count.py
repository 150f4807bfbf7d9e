#!/usr/bin/env python3
# Stands in for systemd's notify socket in a test and, the moment READY=1 arrives, counts the
# elements of the set SET of table inet portcullis in network namespace NS (before it even closes
# the descriptors systemd-notify waits on, so the server cannot go on meanwhile).
#   notify-count.py PATH NS SET SECONDS   prints "listening", then "ready elements=N" or "timeout"
import json
import os
import socket
import subprocess
import sys

path, ns, name, limit = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(limit)
print("listening", flush=True)
while True:
    try:
        msg, ancillary, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
    except socket.timeout:
        print("timeout", flush=True)
        break
    fields = msg.decode(errors="replace").split("\n")
    if "READY=1" in fields:
        listed = subprocess.run(
            ["ip", "netns", "exec", ns, "nft", "-j", "list", "set", "inet", "portcullis", name],
            capture_output=True, text=True, timeout=60)
        count = 0
        if listed.returncode == 0:
            for item in json.loads(listed.stdout).get("nftables", []):
                count += len(item.get("set", {}).get("elem", []))
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            for i in range(0, len(data) - len(data) % 4, 4):
                os.close(int.from_bytes(data[i:i + 4], sys.byteorder))
    if "READY=1" in fields:
        print("ready elements=%d" % count, flush=True)
        break
