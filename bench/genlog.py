#!/usr/bin/env python3
"""Writes a synthetic Asterisk full log: about 5% failures from a few thousand
documentation addresses, the rest ordinary call chatter. Deterministic (seeded)."""
import random
import sys
import time

def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    start = float(sys.argv[2]) if len(sys.argv) > 2 else 1714550400.0  # 2024-05-01 08:00:00 UTC
    step = float(sys.argv[3]) if len(sys.argv) > 3 else 0.05  # twice the mean gap between lines
    rnd = random.Random(42)
    v4 = [f"203.0.113.{i}" for i in range(1, 255)] + [f"198.51.100.{i}" for i in range(2, 255)]
    v6 = [f"2001:db8:{i:x}::{j:x}" for i in range(1, 12) for j in range(1, 250)]
    addrs = v4 + v6
    chatter = [
        'VERBOSE[{lwp}][C-{cid:08x}] pbx.c:   -- Executing [{ext}@from-internal:1] Dial("PJSIP/{ext}-{cid:08x}", "PJSIP/{ext2},30") in new stack',
        'VERBOSE[{lwp}][C-{cid:08x}] app_dial.c:   -- Called PJSIP/{ext2}',
        'VERBOSE[{lwp}][C-{cid:08x}] app_dial.c:   -- PJSIP/{ext2}-{cid:08x} is ringing',
        'VERBOSE[{lwp}][C-{cid:08x}] app_dial.c:   -- PJSIP/{ext2}-{cid:08x} answered PJSIP/{ext}-{cid:08x}',
        'VERBOSE[{lwp}][C-{cid:08x}] bridge_channel.c:   -- Channel PJSIP/{ext2}-{cid:08x} joined \'simple_bridge\' basic-bridge <{cid:x}>',
        'VERBOSE[{lwp}][C-{cid:08x}] pbx.c:   == Spawn extension (from-internal, {ext2}, 1) exited non-zero on \'PJSIP/{ext}-{cid:08x}\'',
        'VERBOSE[{lwp}] res_pjsip/pjsip_configuration.c: Contact {ext}/sip:{ext}@192.0.2.{h}:5060 is now Reachable.  RTT: {rtt}.{ms:03d} msec',
        'NOTICE[{lwp}] res_pjsip/pjsip_options.c: Endpoint {ext} is now Reachable',
        'WARNING[{lwp}][C-{cid:08x}] chan_pjsip.c: Unable to find channel',
        'VERBOSE[{lwp}][C-{cid:08x}] res_rtp_asterisk.c:   -- Strict RTP learning complete - Locking on source address 192.0.2.{h}:{port}',
    ]
    failures = [
        "NOTICE[{lwp}] res_pjsip/pjsip_distributor.c: Request 'REGISTER' from '<sip:{ext}@198.51.100.1>' failed for '{addr}:5060' (callid: {cid:x}@{cid:x}) - Failed to authenticate",
        "NOTICE[{lwp}] res_pjsip/pjsip_distributor.c: Request 'INVITE' from '<sip:{ext}@198.51.100.1>' failed for '{addr}:5060' (callid: {cid:x}) - No matching endpoint found",
        "NOTICE[{lwp}] chan_sip.c: Registration from '<sip:{ext}@198.51.100.1>' failed for '{addr}:5060' - Wrong password",
        "NOTICE[{lwp}][C-{cid:08x}] res_pjsip_session.c:2337 new_invite: Call from 'anonymous' (UDP:{addr}:5060) to extension '00972{ext}' rejected because extension not found in context 'default'.",
    ]
    out = sys.stdout
    t = start
    buf = []
    for i in range(n):
        t += rnd.random() * step
        ts = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))
        if rnd.random() < 0.05:
            a = rnd.choice(addrs)
            if ":" in a:
                a = f"[{a}]"
            tpl = rnd.choice(failures)
            line = tpl.format(lwp=rnd.randint(2000, 9000), cid=rnd.getrandbits(32), ext=rnd.randint(100, 999), addr=a)
        else:
            tpl = rnd.choice(chatter)
            line = tpl.format(lwp=rnd.randint(2000, 9000), cid=rnd.getrandbits(32), ext=rnd.randint(100, 199),
                              ext2=rnd.randint(100, 199), h=rnd.randint(2, 250), rtt=rnd.randint(1, 90),
                              ms=rnd.randint(0, 999), port=rnd.randint(10000, 20000))
        buf.append(f"[{ts}] {line}\n")
        if len(buf) >= 10000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))

main()
