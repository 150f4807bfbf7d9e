package io.portcullis.server;

import io.portcullis.ban.AddressEvent;
import io.portcullis.ban.BanStore;
import io.portcullis.ban.StoreWriter;
import io.portcullis.jail.BanDecision;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The store's part of the bans of one command: every ban and its event, written as one write (one
 * transaction) with one future, instead of two queued writes and two futures per ban. A flood of
 * 10,000 bans by command kept 20,000 jobs and futures alive until the store had them (copied out of
 * the server's small young generation into the old one). A long command is written in chunks of
 * {@link #CHUNK}, so that the store writer works on one while the jail bans the next. While the
 * store cannot be written, a chunk is kept and retried as one write. One that fails for a reason of
 * its own (not the disk) is split in halves until only the ban at fault is dropped ({@link
 * StoreWriter.Divisible}).
 */
final class BanWrites implements StoreWriter.Divisible {
  /** Bans of one write; the jail starts the next write from here on. */
  static final int CHUNK = 2_000;

  private final List<BanDecision> bans = new ArrayList<>();
  private final List<AddressEvent> events = new ArrayList<>();
  private final CompletableFuture<Void> stored = new CompletableFuture<>();

  /** Adds a ban and its event; returns the future of the whole write. */
  CompletableFuture<Void> add(BanDecision b, AddressEvent.Ban event) {
    bans.add(b);
    events.add(event);
    return stored;
  }

  int size() {
    return bans.size();
  }

  /** Queues the write; the future of every ban added completes as the store's write does. */
  void submit(StoreWriter store) {
    if (bans.isEmpty()) {
      stored.complete(null);
      return;
    }
    store
        .write(this)
        .whenComplete(
            (ok, e) -> {
              if (e == null) {
                stored.complete(null);
              } else {
                stored.completeExceptionally(e);
              }
            });
  }

  @Override
  public void run(BanStore s) throws SQLException {
    s.addBans(bans, events);
  }

  /**
   * Two halves, each divisible again: a chunk with one ban at fault is written in about twice
   * log2(size) transactions, not one per ban.
   */
  @Override
  public List<StoreWriter.Write> parts() {
    int n = bans.size();
    if (n < 2) {
      return List.of(this);
    }
    return List.of(half(0, n / 2), half(n / 2, n));
  }

  private BanWrites half(int from, int to) {
    BanWrites h = new BanWrites();
    h.bans.addAll(bans.subList(from, to));
    h.events.addAll(events.subList(from, to));
    return h;
  }
}
