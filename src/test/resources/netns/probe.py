#!/usr/bin/env python3
"""Test peer: from SOURCE, sends one UDP datagram and one TCP line to TARGET:PORT.
Prints "udp ok|blocked tcp ok|blocked"; exit 0 if both got through, 1 if both were blocked, 2 if mixed."""
import socket, sys

src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
family = socket.AF_INET6 if ":" in dst else socket.AF_INET

def udp():
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.settimeout(0.5)
    try:
        s.sendto(b"hello", (dst, port))
        return s.recvfrom(100)[0] == b"hello"
    except OSError:
        return False
    finally:
        s.close()

def tcp():
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(0.7)
    try:
        s.connect((dst, port))
        s.sendall(b"hello")
        return s.recv(100) == b"hello"
    except OSError:
        return False
    finally:
        s.close()

u, t = udp(), tcp()
print("udp %s tcp %s" % ("ok" if u else "blocked", "ok" if t else "blocked"))
sys.exit(0 if u and t else 1 if not u and not t else 2)
