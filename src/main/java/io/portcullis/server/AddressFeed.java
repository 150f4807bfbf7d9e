package io.portcullis.server;

import io.portcullis.ban.AddressEvent;
import io.portcullis.ban.Evidence;
import io.portcullis.ban.StoreWriter;
import io.portcullis.control.Replies;
import io.portcullis.net.IpAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What happens to addresses, as it happens: each event goes to the store (for {@code why}) and to
 * whoever listens (the HTTP live feed, the metrics). Listeners run on the thread that publishes (a
 * jail's, a firewall's batch worker) and must not block.
 *
 * <p>It also times bans from the log line to the kernel: a jail with a firewall says when it read
 * the line that crossed maxretry, the firewall says when the kernel took the address, and the
 * difference goes out as a {@code blocked} event.
 */
final class AddressFeed {
  /** Bans waiting for the kernel beyond this are forgotten (a firewall that never answers). */
  private static final int MAX_WAITING = 100_000;

  private record Key(String jail, IpAddress ip) {}

  private final StoreWriter store;
  private final List<Consumer<Replies.Event>> listeners = new CopyOnWriteArrayList<>();
  private final Map<Key, Long> waiting = new ConcurrentHashMap<>();
  private final Clock clock;

  AddressFeed(StoreWriter store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Keeps an event in the store and tells the listeners. */
  void record(AddressEvent e) {
    store.write(write(e));
    if (!listeners.isEmpty()) {
      tell(reply(e, null));
    }
  }

  /** Tells the listeners of an event that the caller writes to the store itself. */
  void told(AddressEvent e) {
    if (!listeners.isEmpty()) {
      tell(reply(e, null));
    }
  }

  /**
   * The store's write of an event, made here so that a jail's warm-up links its lambda without
   * writing (a lambda is linked where it is created, the first time).
   */
  static StoreWriter.Write write(AddressEvent e) {
    return s -> s.events().add(e);
  }

  /** A ban that a line read at {@code readNanos} (System.nanoTime) caused waits for the kernel. */
  void awaitKernel(String jail, IpAddress ip, long readNanos) {
    if (waiting.size() >= MAX_WAITING) {
      waiting.clear();
    }
    waiting.put(new Key(jail, ip), readNanos);
  }

  /** The kernel accepted the ban of an address in a jail's set. */
  void acceptedByKernel(String jail, IpAddress ip) {
    Long read = waiting.remove(new Key(jail, ip));
    if (read != null && !listeners.isEmpty()) {
      double seconds = (System.nanoTime() - read) / 1e9;
      tell(Replies.Event.blocked(clock.instant().getEpochSecond(), jail, ip.toString(), seconds));
    }
  }

  /** Adds a listener; closing the returned handle removes it. */
  AutoCloseable subscribe(Consumer<Replies.Event> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void tell(Replies.Event e) {
    for (Consumer<Replies.Event> l : listeners) {
      try {
        l.accept(e);
      } catch (RuntimeException ignored) {
        // a listener's failure is its own business; the jail goes on
      }
    }
  }

  /** An event as the protocol shows it; {@code causes}: a ban's evidence, or null. */
  static Replies.Event reply(AddressEvent e, List<Replies.Event> causes) {
    long time = e.time().getEpochSecond();
    if (e instanceof AddressEvent.Failure f) {
      return Replies.Event.failure(time, f.jail(), f.fid(), f.count(), evidence(f.evidence()));
    }
    if (e instanceof AddressEvent.Ban b) {
      return Replies.Event.ban(
          time,
          b.jail(),
          b.fid(),
          b.failures(),
          b.bantime().isNegative() ? -1L : b.bantime().getSeconds(),
          b.bancount(),
          causes);
    }
    if (e instanceof AddressEvent.Unban u) {
      return Replies.Event.unban(
          time,
          u.jail(),
          u.fid(),
          u.reason() == AddressEvent.Reason.ENDED ? "ended" : "by command");
    }
    AddressEvent.Allow a = (AddressEvent.Allow) e;
    return Replies.Event.allow(
        time,
        a.jail(),
        a.fid(),
        a.until().getEpochSecond(),
        a.evidence() == null ? "by command" : "successful login",
        evidence(a.evidence()));
  }

  private static Replies.Evidence evidence(Evidence e) {
    return e == null ? null : new Replies.Evidence(e.file(), e.filter(), e.regex(), e.lines());
  }
}
