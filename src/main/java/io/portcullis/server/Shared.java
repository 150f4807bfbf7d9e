package io.portcullis.server;

import io.portcullis.ban.BanList;
import io.portcullis.ban.StoreWriter;
import java.time.Clock;

/**
 * What every running jail shares: the bans in force, the store, the ban history, log, clock, and
 * the feed of what happens to addresses, and the link to the fleet (which bans came from other
 * nodes; where this node's bans are published), and the link to the blocklist feeds.
 */
record Shared(
    BanList bans,
    StoreWriter store,
    BanCounts counts,
    ServerLog log,
    Clock clock,
    AddressFeed feed,
    FleetLink fleet,
    FeedLink feeds) {}
