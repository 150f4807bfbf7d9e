#!/usr/bin/env python3
"""Test peer: echoes UDP datagrams and TCP lines on PORT until killed or for at most LIMIT seconds."""
import socket, sys, threading, time

port, limit = int(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 300

def sock(family, kind):
    s = socket.socket(family, kind)
    if family == socket.AF_INET6:
        # else "::" also takes IPv4 and collides with the IPv4 socket on the same port
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    return s

def udp(family, addr):
    s = sock(family, socket.SOCK_DGRAM)
    s.bind((addr, port))
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(data, peer)

def tcp(family, addr):
    s = sock(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    while True:
        c, _ = s.accept()
        c.settimeout(2)
        try:
            c.sendall(c.recv(2048))
        except OSError:
            pass
        c.close()

for f, a in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    for fn in (udp, tcp):
        threading.Thread(target=fn, args=(f, a), daemon=True).start()
print("ready", flush=True)
time.sleep(limit)
