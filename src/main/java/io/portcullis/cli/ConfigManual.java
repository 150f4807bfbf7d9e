package io.portcullis.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The settings of {@code portcullis.conf} and {@code jail.conf} as a picocli model, from which the
 * build generates the man page portcullis.conf(5) (packaging/man/portcullis.conf.adoc includes it).
 * Not a command anybody runs. ConfigManualTest holds every default written here against what the
 * config readers really do, and every setting the shipped config uses against this list, so the
 * page cannot drift from the code.
 *
 * <p>Design note: long because it is a list, one annotated field per setting with its default and
 * its words; split by section it would scatter the one source of portcullis.conf(5).
 */
@Command(
    name = "portcullis.conf",
    showDefaultValues = true,
    sortOptions = false,
    description = "Settings of the Portcullis server and its jails.")
final class ConfigManual {
  @ArgGroup(exclusive = false, order = 1, heading = "Server settings%n")
  Server server;

  @ArgGroup(exclusive = false, order = 2, heading = "Jail settings%n")
  Jail jail;

  @ArgGroup(exclusive = false, order = 3, heading = "Repeat offenders%n")
  Increment increment;

  @ArgGroup(exclusive = false, order = 4, heading = "Filter options%n")
  FilterOptions filterOptions;

  @ArgGroup(exclusive = false, order = 5, heading = "HTTP API, metrics and dashboard ([http])%n")
  Http http;

  @ArgGroup(
      exclusive = false,
      order = 6,
      heading = "A fleet: bans shared through Redis ([fleet])%n")
  Fleet fleet;

  static final class Fleet {
    @Option(
        names = "redis",
        paramLabel = "URI",
        order = 1,
        description =
            "redis://HOST:PORT/DB, or rediss:// for TLS, with user:password@ if Redis asks;"
                + " off unless written. Every node of a fleet names the same Redis (docs/fleet.md).")
    String redis;

    @Option(
        names = "node",
        paramLabel = "NAME",
        order = 2,
        description = "This node's name in the fleet (shown with its bans on the others).",
        defaultValue = "the host name")
    String node;

    @Option(
        names = "share",
        paramLabel = "JAIL...",
        order = 3,
        description = "Jails whose bans (and unbans by command) this node publishes.",
        defaultValue = "all")
    String share;

    @Option(
        names = "accept",
        paramLabel = "NAME...",
        order = 4,
        description =
            "Jails, or nodes, whose bans this node applies (in a jail of the same name that runs"
                + " here; never to an address that jail ignores or allows).",
        defaultValue = "all")
    String accept;

    @Option(
        names = "queue",
        paramLabel = "N",
        order = 5,
        description =
            "Events kept while Redis cannot be reached; when full the oldest go (counted in"
                + " status, warned about).",
        defaultValue = "100000")
    String queue;

    @Option(
        names = "maxlen",
        paramLabel = "N",
        order = 6,
        description = "The event stream keeps about this many events (XADD MAXLEN ~).",
        defaultValue = "100000")
    String maxlen;

    @Option(
        names = "prefix",
        paramLabel = "NAME",
        order = 7,
        description = "The start of every Redis key the fleet uses (two fleets can share a Redis).",
        defaultValue = "portcullis")
    String prefix;

    @Option(
        names = "trust",
        paramLabel = "NODE...",
        order = 8,
        description =
            "Nodes whose published addresses pass this node's rate limits, country rules and"
                + " network bans (never a ban of the address itself); all, or none. Single"
                + " addresses only, at most 8 a node (docs/fleet.md).",
        defaultValue = "none")
    String trust;

    @Option(
        names = "address",
        paramLabel = "IP...",
        order = 9,
        description =
            "The addresses this node publishes for the others' trust, instead of its interfaces'"
                + " (a node behind NAT); single addresses, at most 8.",
        defaultValue = "its interfaces' addresses, less loopback and link-local")
    String address;

    @Option(
        names = "refresh",
        paramLabel = "TIME",
        order = 10,
        description =
            "How often this node publishes its addresses and reads the trusted nodes'; a"
                + " publication lives three times as long.",
        defaultValue = "10s")
    String refresh;
  }

  @ArgGroup(
      exclusive = false,
      order = 7,
      heading =
          "Blocklist feeds ([feed-NAME] sections of portcullis.conf, one per list; docs/feeds.md)%n")
  Feed feed;

  static final class Feed {
    @Option(
        names = "url",
        paramLabel = "URL",
        order = 1,
        description =
            "http:// or https:// address of the list (or file = /absolute/path). Status and the"
                + " log show only its scheme and host, so a key in the path stays private.")
    String url;

    @Option(
        names = "format",
        paramLabel = "FORMAT",
        order = 2,
        defaultValue = "plain",
        description =
            "plain (first word of each line; # and ; start comments), csv (with column = N,"
                + " counted from 1, delimiter = , and header = true to skip the first line), json"
                + " (with path = $.ipaddress[*] or data[].ip: names, dots, [] for every element),"
                + " or apiban (APIBAN's pages, followed by their ID cursor).")
    String format;

    @Option(
        names = "jail",
        paramLabel = "JAIL",
        order = 3,
        description =
            "The jail whose firewall action carries the entries and whose ignoreip and allow"
                + " lists screen them. Required.")
    String jail;

    @Option(
        names = "interval",
        paramLabel = "DURATION",
        order = 4,
        defaultValue = "1h",
        description =
            "How often the list is fetched (conditional GET with ETag and Last-Modified). Its"
                + " bantime (default three intervals; must be longer than interval) is the kernel"
                + " timeout of its entries, renewed by each good fetch: a failed fetch keeps them"
                + " until then.")
    String interval;

    @Option(
        names = "maxentries",
        paramLabel = "N",
        order = 5,
        defaultValue = "100000",
        description = "Entries taken from one list at most (1 to 2,000,000); the rest are counted.")
    String maxentries;

    @Option(
        names = "timeout",
        paramLabel = "DURATION",
        order = 6,
        defaultValue = "60s",
        description = "The deadline of one download, all its pages together.")
    String timeout;
  }

  static final class Http {
    @Option(
        names = "listen",
        paramLabel = "ADDR:PORT...",
        order = 1,
        description =
            "IP literals and ports to bind, e.g. 127.0.0.1:9180 [::1]:9180; off unless written."
                + " Serves the dashboard at /, the JSON API at /api/v1 and Prometheus metrics at"
                + " /metrics. A public address is bound only when written, and has no TLS.")
    String listen;

    @Option(
        names = "tokenfile",
        paramLabel = "PATH",
        order = 2,
        description =
            "A file only root may read holding the bearer token that writes (ban, unban, allow,"
                + " set) need; without it the API only reads.")
    String tokenfile;
  }

  @ArgGroup(exclusive = false, order = 6, heading = "Trust and accounts%n")
  Trust trust;

  static final class Server {
    @Option(
        names = "loglevel",
        paramLabel = "LEVEL",
        order = 1,
        defaultValue = "INFO",
        description =
            "CRITICAL, ERROR, WARNING, NOTICE (bans and unbans), INFO (each failure) or DEBUG.")
    String loglevel;

    @Option(
        names = "logtarget",
        paramLabel = "TARGET",
        order = 2,
        defaultValue = "STDERR",
        description =
            "A file (reopened by 'portcullis flushlogs' after logrotate), STDOUT, STDERR or"
                + " SYSTEMD-JOURNAL. The package's config writes /var/log/portcullis/portcullis.log.")
    String logtarget;

    @Option(
        names = "socket",
        paramLabel = "PATH",
        order = 3,
        defaultValue = "/run/portcullis/portcullis.sock",
        description =
            "The control socket (mode 0600) that the client commands and systemd's ExecStop use.")
    String socket;

    @Option(
        names = "socketgroup",
        paramLabel = "GROUP",
        order = 3,
        description =
            "Members of this group may run the read-only commands (ping, status, banned, get) on"
                + " the control socket, which is then mode 0660 with this group; only root and the"
                + " server's own user may run the others. Under the packaged unit the group also"
                + " needs a way into /run/portcullis (RuntimeDirectoryMode=0755) and the server"
                + " CAP_CHOWN (a drop-in adding it to CapabilityBoundingSet) to give the socket"
                + " the group.")
    String socketgroup;

    @Option(
        names = "pidfile",
        paramLabel = "PATH",
        order = 4,
        defaultValue = "/run/portcullis/portcullis.pid",
        description = "Written once the server answers on its socket, removed when it stops.")
    String pidfile;

    @Option(
        names = "dbfile",
        paramLabel = "PATH",
        order = 5,
        defaultValue = "/var/lib/portcullis/portcullis.sqlite3",
        description =
            "The SQLite store of bans, ban history, read positions and allowed addresses; 'none'"
                + " keeps nothing across restarts. Run with fail2ban's own config dir, Portcullis"
                + " keeps this store and never opens fail2ban's database (see 'portcullis import"
                + " fail2ban').")
    String dbfile;

    @Option(
        names = "dbpurgeage",
        paramLabel = "DURATION",
        order = 6,
        defaultValue = "1d",
        description =
            "How long the ban history is kept (it makes repeat bans longer); the package's config"
                + " says 30d.")
    String dbpurgeage;

    @Option(
        names = "reconcileinterval",
        paramLabel = "DURATION",
        order = 7,
        defaultValue = "1m",
        description =
            "How often the kernel's sets are compared with the bans in force and repaired.")
    String reconcileinterval;

    @Option(
        names = "netns",
        paramLabel = "NAME",
        order = 8,
        description =
            "Run the firewall and action commands inside this network namespace (ip netns exec);"
                + " needs CAP_SYS_ADMIN, which the packaged systemd unit does not grant.")
    String netns;

    @Option(
        names = "countrydb",
        paramLabel = "FILE",
        order = 9,
        description =
            "A MaxMind-format country database (.mmdb: GeoLite2-Country, DB-IP lite country) that"
                + " the jails' countries rules read, walked once at start and at reload and again"
                + " when the file changes (checked every countrydbcheck); none or unset for no"
                + " database.")
    String countrydb;

    @Option(
        names = "countrydbcheck",
        paramLabel = "DURATION",
        order = 10,
        defaultValue = "60s",
        description =
            "How often the server looks whether countrydb changed (its modification time and"
                + " size, a cheap look); a changed file is walked again and the jails' country"
                + " sets swapped in one transaction. At least 1s.")
    String countrydbcheck;
  }

  static final class Jail {
    @Option(
        names = "enabled",
        paramLabel = "BOOL",
        order = 1,
        defaultValue = "false",
        description = "Whether the server runs the jail.")
    String enabled;

    @Option(
        names = "filter",
        paramLabel = "NAME[OPT=VALUE,...]",
        order = 2,
        description =
            "A file of filter.d (without .conf) and its options, e.g. sshd[mode=aggressive].")
    String filter;

    @Option(
        names = "logpath",
        paramLabel = "PATHS",
        order = 3,
        description =
            "Files to follow, one per line; globs allowed; a file that does not exist yet is"
                + " followed once it appears.")
    String logpath;

    @Option(
        names = "backend",
        paramLabel = "BACKEND",
        order = 4,
        defaultValue = "auto",
        description =
            "auto (the log files: inotify, else polling), polling, or systemd (the journal, with"
                + " the filter's journalmatch; systemd[journalpath=DIR], systemd[journalfiles=FILES],"
                + " journalflags and namespace choose which journal). 'portcullis check' and the"
                + " start log say what each jail reads.")
    String backend;

    @Option(
        names = "systemd_if_nologs",
        paramLabel = "BOOL",
        order = 5,
        defaultValue = "true",
        description =
            "With backend auto: follow the journal instead when none of the jail's files exists"
                + " and its filter has a journalmatch (the package's config turns it off except"
                + " for sshd).")
    String systemdIfNologs;

    @Option(
        names = "maxretry",
        paramLabel = "N",
        order = 6,
        defaultValue = "5",
        description = "Failures of one address within findtime that ban it.")
    String maxretry;

    @Option(
        names = "findtime",
        paramLabel = "DURATION",
        order = 7,
        defaultValue = "10m",
        description =
            "The window in which failures count: 600 (seconds), 10m, 1h, 1d, 1w, or 1h30m.")
    String findtime;

    @Option(
        names = "bantime",
        paramLabel = "DURATION",
        order = 8,
        defaultValue = "10m",
        description = "How long a ban lasts; -1 bans for ever.")
    String bantime;

    @Option(
        names = "maxmatches",
        paramLabel = "N",
        order = 9,
        description =
            "How many matched lines a ban keeps for actions and the store (default: maxretry).")
    String maxmatches;

    @Option(
        names = "ignoreip",
        paramLabel = "LIST",
        order = 10,
        description = "Addresses, networks (CIDR) and host names never counted or banned.")
    String ignoreip;

    @Option(
        names = "ignoreself",
        paramLabel = "BOOL",
        order = 11,
        defaultValue = "true",
        description = "Never ban this machine's own addresses.")
    String ignoreself;

    @Option(
        names = "ignorecommand",
        paramLabel = "COMMAND",
        order = 12,
        description =
            "A command run before counting an address (<ip> replaced by it); exit 0 means ignore"
                + " it.")
    String ignorecommand;

    @Option(
        names = "allowtime",
        paramLabel = "DURATION",
        order = 13,
        defaultValue = "1d",
        description =
            "A line of the filter's successregex (a good login) allows its address this long and"
                + " forgets its failures; 0 turns it off.")
    String allowtime;

    @Option(
        names = "netban6",
        paramLabel = "STEPS",
        order = 13,
        defaultValue = io.portcullis.shield.NetworkPolicy.DEFAULT_V6,
        description =
            "Networks banned whole, as PREFIX:COUNT from the narrowest: 64:5 48:3 bans a /64 when 5"
                + " of its addresses are banned within findtime, and a /48 when 3 of its /64 are;"
                + " off for none. Ignored and allowed addresses inside stay reachable (nftables).")
    String netban6;

    @Option(
        names = "netban4",
        paramLabel = "STEPS",
        order = 13,
        defaultValue = io.portcullis.shield.NetworkPolicy.DEFAULT_V4,
        description =
            "The same for IPv4, e.g. 24:10 (a /24 after 10 banned addresses); off for none.")
    String netban4;

    @Option(
        names = "ratelimit",
        paramLabel = "RULES",
        order = 13,
        defaultValue = io.portcullis.shield.RateLimit.DEFAULT,
        description =
            "Packet rate limits per source on the jail's ports and protocols, before anyone"
                + " fails: COUNT/PERIOD drop|reject, comma separated, e.g. 50/10s drop, 10/60s"
                + " reject (more than 50 packets in 10 s from one address, or one IPv6 /64, are"
                + " dropped; more than 10 in 60 s rejected). Ignored, trusted and registered"
                + " addresses are never limited. nftables only (ipset says at start and in check"
                + " that it does not apply them); off for none.")
    String ratelimit;

    @Option(
        names = "ratelimitfailure",
        paramLabel = "BOOL",
        order = 13,
        defaultValue = "yes",
        description =
            "Whether a source found over a ratelimit counts one failure of the jail each time the"
                + " server looks (every period of the shortest rule, 2 s to 10 s), so that one that"
                + " keeps hitting the limit is banned after maxretry looks.")
    String ratelimitfailure;

    @Option(
        names = "countries",
        paramLabel = "allow|deny CC ...",
        order = 13,
        description =
            "Drops the jail's ports and protocols in the kernel for sources of the listed"
                + " countries (deny CN RU) or for every source outside them (allow DE FR AT); ISO"
                + " 3166 alpha-2 codes, case-insensitive. Ignored, trusted and registered addresses"
                + " and loopback always pass. Needs countrydb in portcullis.conf; nftables only"
                + " (ipset says at start and in check that it does not apply it); off for none.")
    String countries;

    @Option(
        names = "usedns",
        paramLabel = "MODE",
        order = 14,
        defaultValue = "warn",
        description = "yes, warn, no or raw: what a host name in a log line becomes.")
    String usedns;

    @Option(
        names = "logtimezone",
        paramLabel = "ZONE",
        order = 15,
        description =
            "Zone of log dates that carry none: an IANA id or +HHMM (default: the filter's, else"
                + " the machine's).")
    String logtimezone;

    @Option(
        names = "action",
        paramLabel = "ACTIONS",
        order = 16,
        description =
            "What a ban does, one per line: firewall[port=..., protocol=..., blocktype=drop|reject,"
                + " backend=nftables|ipset], log[file=...], mail[dest=..., ...], webhook[url=...,"
                + " ...], or any action.d file, run as fail2ban runs it.")
    String action;

    @Option(
        names = "port",
        paramLabel = "PORTS",
        order = 17,
        description =
            "Ports the firewall action closes to a banned address (e.g. 5060,5061 or 10000-20000);"
                + " without it, every port.")
    String port;

    @Option(
        names = "protocol",
        paramLabel = "PROTOCOLS",
        order = 18,
        description = "tcp, udp or both (\"udp,tcp\") for the firewall action's ports.")
    String protocol;
  }

  static final class Increment {
    @Option(
        names = "bantime.increment",
        paramLabel = "BOOL",
        order = 1,
        defaultValue = "false",
        description =
            "Each new ban of an address lasts longer than its previous one (the ban history of"
                + " the store counts them).")
    String increment;

    @Option(
        names = "bantime.factor",
        paramLabel = "NUMBER",
        order = 2,
        defaultValue = "1",
        description = "The n-th ban lasts bantime x factor x 2^(n-1).")
    String factor;

    @Option(
        names = "bantime.multipliers",
        paramLabel = "LIST",
        order = 3,
        description =
            "Instead of doubling, the n-th ban lasts bantime x the n-th number (the last repeats),"
                + " e.g. 1 5 30 60 300 720 1440 2880.")
    String multipliers;

    @Option(
        names = "bantime.maxtime",
        paramLabel = "DURATION",
        order = 4,
        description = "No increased ban lasts longer than this.")
    String maxtime;

    @Option(
        names = "bantime.rndtime",
        paramLabel = "DURATION",
        order = 5,
        description = "Adds up to this much random time, so bots cannot predict the end.")
    String rndtime;

    @Option(
        names = "bantime.overalljails",
        paramLabel = "BOOL",
        order = 6,
        defaultValue = "false",
        description = "Count the address's bans in every jail, not only this one.")
    String overalljails;
  }

  static final class FilterOptions {
    @Option(
        names = "failregex",
        paramLabel = "REGEXES",
        order = 1,
        description = "Replace the filter's failregex lines (Python regex syntax, with <HOST>).")
    String failregex;

    @Option(
        names = "ignoreregex",
        paramLabel = "REGEXES",
        order = 2,
        description = "Replace the filter's ignoreregex lines.")
    String ignoreregex;

    @Option(
        names = "successregex",
        paramLabel = "REGEXES",
        order = 3,
        description = "Replace the filter's successregex lines (see allowtime).")
    String successregex;

    @Option(
        names = "prefregex",
        paramLabel = "REGEX",
        order = 4,
        description = "Replace the filter's prefregex.")
    String prefregex;

    @Option(
        names = "datepattern",
        paramLabel = "PATTERN",
        order = 5,
        description = "Replace the filter's datepattern.")
    String datepattern;

    @Option(
        names = "maxlines",
        paramLabel = "N",
        order = 6,
        description = "Replace the filter's maxlines (lines a multi-line regex spans).")
    String maxlines;

    @Option(
        names = "journalmatch",
        paramLabel = "MATCHES",
        order = 7,
        description = "Replace the filter's journalmatch (backend = systemd).")
    String journalmatch;
  }

  static final class Trust {
    @Option(
        names = "allowfailures",
        paramLabel = "N",
        order = 1,
        defaultValue = "10",
        description =
            "Failures within findtime that withdraw the trust of an address (a login or a"
                + " registration; not the admin's addallow) and ban it at once; 0: never.")
    String allowfailures;

    @Option(
        names = "accountmaxretry",
        paramLabel = "N",
        order = 2,
        defaultValue = "0",
        description =
            "Failures on one account (the filter's <F-USER>), from any addresses, within"
                + " accountfindtime that put it under attack: logged, mailed and posted by the"
                + " mail and webhook actions, and every untrusted address failing on it is banned"
                + " at its first failure; 0: accounts are not watched.")
    String accountmaxretry;

    @Option(
        names = "accountfindtime",
        paramLabel = "DURATION",
        order = 3,
        description = "The window of accountmaxretry (default: findtime).")
    String accountfindtime;

    @Option(
        names = "accountbantime",
        paramLabel = "DURATION",
        order = 4,
        defaultValue = "1h",
        description = "How long an account stays under attack after its last failure.")
    String accountbantime;

    @Option(
        names = "accountallowtime",
        paramLabel = "DURATION",
        order = 5,
        defaultValue = "0",
        description =
            "Trust for a login on an account under attack from an address not trusted before;"
                + " 0: none (the login is logged, the address stays counted).")
    String accountallowtime;

    @Option(
        names = "maxusers",
        paramLabel = "N",
        order = 6,
        defaultValue = "0",
        description =
            "An address failing on more than N distinct user names within findtime is banned at"
                + " once (enumeration); 0: off.")
    String maxusers;

    @Option(
        names = "registrations",
        paramLabel = "SOURCES",
        order = 7,
        description =
            "Where to read the phones registered on the SIP server, trusted while registered, one"
                + " a line: kamailio[fifo=PATH|udp=HOST:PORT, replydir=DIR, every=30s] (ul.dump"
                + " through jsonrpcs) or asterisk[host=127.0.0.1, port=5038, username=USER,"
                + " secretfile=PATH, rewritecontact=no, every=30s] (AMI).")
    String registrations;
  }
}
