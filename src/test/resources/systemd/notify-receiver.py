#!/usr/bin/env python3
# Stands in for systemd's notify socket in a test: receives sd_notify datagrams on PATH and prints
# each on one line, closing the descriptors they carry (systemd-notify's barrier waits for that).
# On READY=1 it also says whether the control socket CONTROL accepted a connection at that moment,
# then stops.   notify-receiver.py PATH CONTROL SECONDS
import array
import os
import socket
import sys

path, control, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
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
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
            for fd in fds:
                os.close(fd)
    fields = msg.decode(errors="replace").split("\n")
    if "READY=1" in fields:
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            c.connect(control)
            answer = "control-socket-accepts"
        except OSError:
            answer = "control-socket-refuses"
        finally:
            c.close()
        print(" ".join(fields + [answer]), flush=True)
        break
    print(" ".join(fields), flush=True)
