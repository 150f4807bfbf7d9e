#!/usr/bin/env python3
"""Builds the recorded AMI sessions of AsteriskRegistrarTest from Asterisk's source.

Asterisk is not packaged for Debian 12, so these sessions are what the source writes, not a
capture. Run with a clone of https://github.com/asterisk/asterisk (branches 18 and 20):

    python3 make-ami-recordings.py /path/to/asterisk.git

What comes from where (each branch's own files):
- main/manager.c: the banner "Asterisk Call Manager/" AMI_VERSION (include/asterisk/manager.h),
  astman_send_response_full (Response, ActionID, EventList, Message, blank line), the login ack
  "Authentication accepted", astman_send_list_complete_start (Event, ActionID, EventList:
  Complete, ListItems), the "Invalid/unknown command" error, Logoff's "Goodbye".
- res/res_pjsip/pjsip_options.c ami_show_contacts / format_ami_contactlist_handler: the listack
  message, ContactList events (ast_sip_create_ami_event, then ast_sip_sorcery_object_to_ami, then
  Status and RoundtripUsec), ContactListComplete.
- res/res_pjsip/location.c: the contact's sorcery fields (their names, handlers and the contact
  id "AOR;@md5(uri)"); main/sorcery.c: a field's value text (bool "true"/"false", yesno "yes"/"no",
  uint "%u", double "%f"), fields without a string handler left out (OPT_NOOP_T "type"), and their
  order: the fields live in a hash container of 29 buckets keyed by ast_str_hash(name)
  (include/asterisk/strings.h), iterated bucket by bucket in insertion order.
- channels/chan_sip.c (18): manager_sip_show_peers and _sip_show_peers_one (the PeerEntry format
  string, "-none-" for a peer without an address), PeerlistComplete.
- res/res_pjsip_nat.c: with rewrite_contact = yes the contact URI's host and port are the source,
  with ;x-ast-orig-host=<what the phone wrote> when it differed.

The values (addresses, names, times) are this test's, from the documentation ranges.
"""
import hashlib
import re
import subprocess
import sys

REPO = sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror/asterisk+asterisk/repo"
CRLF = "\r\n"


def show(branch, path):
    return subprocess.run(
        ["git", "-C", REPO, "show", f"{branch}:{path}"], check=True, capture_output=True, text=True
    ).stdout


def ast_str_hash(s):
    h = 5381
    for c in s.encode():
        h = ((h * 33) & 0xFFFFFFFF) ^ c
    return h & 0x7FFFFFFF


def camel(name):
    # main/utils.c ast_to_camel_case: drop '_', upper-case the letter after it and the first
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


def contact_fields(branch):
    src = show(branch, "res/res_pjsip/location.c")
    fields = []
    for m in re.finditer(
        r'ast_sorcery_object_field_register(_custom)?\(sorcery, "contact", "(\w+)", [^,]*, (\w+)', src
    ):
        custom, name, kind = m.group(1), m.group(2), m.group(3)
        if kind == "OPT_NOOP_T":
            continue  # no string handler: not in the object set
        fields.append((name, "custom" if custom else kind))
    buckets = {}
    for name, kind in fields:
        buckets.setdefault(ast_str_hash(name) % 29, []).append((name, kind))
    return [f for b in sorted(buckets) for f in buckets[b]]


def text(kind, value):
    if kind == "OPT_BOOL_T":
        return "true" if value else "false"
    if kind == "OPT_YESNO_T":
        return "yes" if value else "no"
    if kind == "OPT_DOUBLE_T":
        return "%f" % value
    return str(value)


def message(lines):
    return CRLF.join(lines) + CRLF + CRLF


def banner(branch):
    v = re.search(r'#define AMI_VERSION\s+"([^"]+)"', show(branch, "include/asterisk/manager.h"))
    return "Asterisk Call Manager/" + v.group(1) + CRLF


def login(action_id):
    return message(["Response: Success", "ActionID: " + action_id, "Message: Authentication accepted"])


def logoff(action_id):
    return message(["Response: Goodbye", "ActionID: " + action_id, "Message: Thanks for all the fish."])


def unknown(action, action_id):
    return message(
        [
            "Response: Error",
            "ActionID: " + action_id,
            "Message: Invalid/unknown command: %s. Use Action: ListCommands to show available commands." % action,
        ]
    )


def contacts(branch, action_id, contacts):
    out = message(
        [
            "Response: Success",
            "ActionID: " + action_id,
            "EventList: start",
            "Message: A listing of Contacts follows, presented as ContactList events",
        ]
    )
    order = contact_fields(branch)
    for c in contacts:
        lines = [
            "Event: ContactList",
            "ActionID: " + action_id,
            "ObjectType: contact",
            "ObjectName: %s;@%s" % (c["aor"], hashlib.md5(c["uri"].encode()).hexdigest()),
        ]
        for name, kind in order:
            lines.append("%s: %s" % (camel(name), text(kind, c[name])))
        lines += ["Status: " + c["status"], "RoundtripUsec: " + c["rtt"]]
        out += message(lines)
    out += message(
        [
            "Event: ContactListComplete",
            "ActionID: " + action_id,
            "EventList: Complete",
            "ListItems: %d" % len(contacts),
        ]
    )
    return out


def peers(action_id, peers):
    out = message(
        [
            "Response: Success",
            "ActionID: " + action_id,
            "EventList: start",
            "Message: Peer status list will follow",
        ]
    )
    for p in peers:
        out += message(
            [
                "Event: PeerEntry",
                "ActionID: " + action_id,
                "Channeltype: SIP",
                "ObjectName: " + p["name"],
                "ChanObjectType: peer",
                "IPaddress: " + p["ip"],
                "IPport: " + p["port"],
                "Dynamic: " + p["dynamic"],
                "AutoForcerport: no",
                "Forcerport: " + p["forcerport"],
                "AutoComedia: no",
                "Comedia: " + p["forcerport"],
                "VideoSupport: no",
                "TextSupport: no",
                "ACL: no",
                "Status: " + p["status"],
                "RealtimeDevice: no",
                "Description: ",
                "Accountcode: ",
            ]
        )
    out += message(
        [
            "Event: PeerlistComplete",
            "ActionID: " + action_id,
            "EventList: Complete",
            "ListItems: %d" % len(peers),
        ]
    )
    return out


def contact(aor, uri, via, via_port, ua, call_id, expires, prune=False):
    return {
        "aor": aor,
        "uri": uri,
        "path": "",
        "expiration_time": expires,
        "qualify_frequency": 0,
        "qualify_timeout": 3.0,
        "qualify_2xx_only": False,
        "authenticate_qualify": False,
        "outbound_proxy": "",
        "user_agent": ua,
        "endpoint": aor,
        "reg_server": "",
        "via_addr": via,
        "via_port": via_port,
        "call_id": call_id,
        "prune_on_boot": prune,
        "status": "NonQualified",
        "rtt": "N/A",
    }


# 2024-06-01T00:00:00Z is the test's clock; contacts expire an hour later
EXPIRES = 1717200000 + 3600
CONTACTS = [
    # a phone behind NAT: rewritten to its source, its own address kept in x-ast-orig-host
    contact(
        "100",
        "sip:100@203.0.113.70:50144;x-ast-orig-host=192.168.1.20:5060",
        "192.168.1.20",
        5060,
        "Yealink SIP-T46S 66.86.0.15",
        "0_2883591544@192.168.1.20",
        EXPIRES,
    ),
    # a softphone on IPv6 over TCP
    contact(
        "101",
        "sip:101@[2001:db8:5::7]:40412;transport=TCP",
        "2001:db8:5::7",
        40412,
        "Linphone/5.2.0 (belle-sip/5.2.0)",
        "w0d8ZbqQBd",
        EXPIRES,
        prune=True,
    ),
]


def session(branch, with_sip):
    s = "<<<" + CRLF + banner(branch)
    s += ">>> Login" + CRLF + login("portcullis-1")
    s += ">>> PJSIPShowContacts" + CRLF + contacts(branch, "portcullis-2", CONTACTS)
    if with_sip:
        s += ">>> SIPpeers" + CRLF + peers(
            "portcullis-3",
            [
                {"name": "200", "ip": "198.51.100.20", "port": "5060", "dynamic": "yes",
                 "forcerport": "yes", "status": "OK (9 ms)"},
                {"name": "201", "ip": "198.51.100.21", "port": "5062", "dynamic": "yes",
                 "forcerport": "no", "status": "Unmonitored"},
                {"name": "202", "ip": "-none-", "port": "0", "dynamic": "yes",
                 "forcerport": "yes", "status": "UNKNOWN"},
                {"name": "trunk", "ip": "192.0.2.50", "port": "5060", "dynamic": "no",
                 "forcerport": "yes", "status": "OK (20 ms)"},
            ],
        )
    else:
        s += ">>> SIPpeers" + CRLF + unknown("SIPpeers", "portcullis-3")
    s += ">>> Logoff" + CRLF + logoff("portcullis-4")
    return s


if __name__ == "__main__":
    for branch, with_sip in (("18", True), ("20", False)):
        with open("asterisk-%s-ami.txt" % branch, "w", newline="") as f:
            f.write(session(branch, with_sip))
