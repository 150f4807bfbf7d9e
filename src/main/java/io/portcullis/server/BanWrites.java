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
 * store cannot be written, a chunk is kept and retried as one write: one that fails for a reason of
 * its own (not the disk) is dropped whole ({@link StoreWriter}).
 */
final class BanWrites implements StoreWriter.Write {
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
}
