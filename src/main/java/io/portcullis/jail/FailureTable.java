package io.portcullis.jail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The failures a jail tracks: per failure id, the times of its failures (oldest first), its last
 * lines (up to maxmatches) and the fields the filter captured from its last failure. The table
 * holds at most {@code maxBytes}; past that it drops the entries whose newest failure is oldest and
 * counts them ({@link #dropped}).
 *
 * <p>Design note. A PBX under attack tracks hundreds of thousands of addresses, so an entry is one
 * byte array (the id, the times as unsigned epoch seconds, the lines and fields as UTF-8, lengths
 * as varints) in an open-addressing table (linear probing, deletion by backward shift), with the
 * hash and the newest failure time of each slot in int arrays beside it: about 40 bytes plus the
 * lines per address (each stored without the address it names, which the key already holds, and as
 * its difference from a reference line of the same shape: a few bytes for an Asterisk line), where
 * objects per failure cost several hundred. The table counts the bytes it holds (arrays included),
 * so the cap is a cap on memory, whatever the length of the lines an attacker makes us keep. Past
 * the cap it drops the oldest entries down to 7/8 of it in one pass (a sort of the newest times),
 * so a flood pays for that once per many new addresses. Not thread-safe: the jail's thread only.
 */
final class FailureTable {
  /** What a ban needs of an entry. */
  record Taken(int count, List<String> lines, Map<String, String> data) {}

  private static final int MIN_CAPACITY = 16;

  /** Bytes of an array header, and of each slot in the three arrays (compressed references). */
  private static final int ARRAY_HEADER = 16;

  private static final int SLOT_BYTES = 4 + 4 + 4;

  /**
   * Stands for the entry's key in a stored line: a failure line holds the address it names, and
   * leaving it out saves 10-40 bytes an address (a tenth of an entry). 0xFF occurs in no UTF-8.
   */
  private static final byte KEY = (byte) 0xFF;

  /**
   * Lines of one jail differ in little more than their time and address: each stored line is kept
   * as the bytes that differ from the most alike of a few reference lines (the first lines of each
   * shape seen, with the key left out), about 5 bytes where a whole Asterisk line is 80. At most
   * {@link #MAX_REFERENCES}, each of at most {@link #MAX_REFERENCE_LENGTH} bytes (a longer line is
   * stored whole, so an attacker's long lines still count fully in the cap), kept for the table's
   * life.
   */
  private static final int MAX_REFERENCES = 8;

  private static final int MAX_REFERENCE_LENGTH = 512;

  private byte[][] references = new byte[0][];
  private long referenceBytes;

  private long maxBytes;
  private byte[][] records = new byte[MIN_CAPACITY][];
  private int[] hashes = new int[MIN_CAPACITY];
  private int[] newest = new int[MIN_CAPACITY];
  private int size;
  private long recordBytes;
  private long dropped;
  private final List<String> fieldNames = new ArrayList<>();
  private final Map<String, Integer> fieldIndex = new HashMap<>();
  private final Scratch scratch = new Scratch();

  FailureTable(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Changes the cap; an already larger table drops its oldest entries at the next failure. */
  void maxBytes(long max) {
    this.maxBytes = max;
  }

  long maxBytes() {
    return maxBytes;
  }

  /** Memory the table holds now, in bytes (its arrays and its entries). */
  long bytes() {
    return 3L * ARRAY_HEADER + (long) records.length * SLOT_BYTES + recordBytes + referenceBytes;
  }

  int size() {
    return size;
  }

  /** Entries dropped so far because the table was full. */
  long dropped() {
    return dropped;
  }

  /**
   * Adds a failure of {@code fid} at {@code time} (epoch seconds); failures at or before {@code
   * limit} are forgotten first. Returns how many failures of {@code fid} are now tracked.
   */
  int add(
      String fid,
      long time,
      long limit,
      List<String> lines,
      Map<String, String> data,
      int maxmatches) {
    int now = toUnsigned(time);
    byte[] key = fid.getBytes(StandardCharsets.UTF_8);
    int hash = hash(fid);
    int slot = find(key, hash);
    byte[] old = slot >= 0 ? records[slot] : null;
    Scratch s = scratch;
    s.reset();
    s.varint(key.length);
    s.bytes(key, 0, key.length);
    int newestTime = now;
    int count;
    Reader r = old == null ? null : new Reader(old, key.length);
    // times: the old ones still within findtime (from the front, as they came), then this one
    int kept = 0;
    int[] times = null;
    if (r != null) {
      int n = r.varint();
      times = new int[n];
      boolean expiring = true;
      for (int i = 0; i < n; i++) {
        int t = r.int32();
        if (expiring && Integer.toUnsignedLong(t) <= limit) {
          continue;
        }
        expiring = false;
        times[kept++] = t;
        if (Integer.compareUnsigned(t, newestTime) > 0) {
          newestTime = t;
        }
      }
    }
    if (kept == 0) {
      r = null; // all its failures are older than findtime: it starts again, lines and fields too
    }
    count = kept + 1;
    s.varint(count);
    for (int i = 0; i < kept; i++) {
      s.int32(times[i]);
    }
    s.int32(now);
    // lines: the last maxmatches of the old ones and the new ones
    int oldCount = r == null ? 0 : r.varint();
    int total = oldCount + lines.size();
    int skip = Math.max(0, total - Math.max(0, maxmatches));
    s.varint(total - skip);
    for (int i = 0; i < oldCount; i++) {
      int start = r.pos;
      r.skipLine();
      if (i >= skip) {
        s.bytes(r.buf, start, r.pos - start);
      }
    }
    for (int i = oldCount; i < total; i++) {
      if (i >= skip) {
        s.line(lines.get(i - oldCount), key, this);
      }
    }
    // fields: this failure's, or the last ones seen when it captured none
    if (!data.isEmpty() || r == null) {
      s.varint(data.size());
      data.forEach(
          (k, v) -> {
            s.varint(fieldIndex(k));
            s.text(v);
          });
    } else {
      s.bytes(r.buf, r.pos, r.buf.length - r.pos);
    }
    byte[] record = Arrays.copyOf(s.buf, s.len);
    if (old != null) {
      recordBytes += cost(record) - cost(old);
      records[slot] = record;
      newest[slot] = newestTime;
    } else {
      if (size + 1 > records.length * 3L / 4) {
        makeRoom(limit);
      }
      insert(record, hash, newestTime);
      size++;
      recordBytes += cost(record);
    }
    if (bytes() > maxBytes) {
      shrinkTo(maxBytes - maxBytes / 8);
    }
    return count;
  }

  /** How many failures of {@code fid} are tracked (0 when none). */
  int count(String fid) {
    int slot = find(fid.getBytes(StandardCharsets.UTF_8), hash(fid));
    if (slot < 0) {
      return 0;
    }
    Reader r = new Reader(records[slot]);
    return r.varint();
  }

  /** Removes {@code fid} and returns what a ban needs of it, or null when it is not tracked. */
  Taken take(String fid) {
    byte[] key = fid.getBytes(StandardCharsets.UTF_8);
    int slot = find(key, hash(fid));
    if (slot < 0) {
      return null;
    }
    byte[] rec = records[slot];
    removeAt(slot);
    Reader r = new Reader(rec);
    int n = r.varint();
    r.pos += 4 * n;
    int nl = r.varint();
    List<String> lines = new ArrayList<>(nl);
    for (int i = 0; i < nl; i++) {
      lines.add(r.line(key, references));
    }
    int nd = r.varint();
    Map<String, String> data = new LinkedHashMap<>();
    for (int i = 0; i < nd; i++) {
      String k = fieldNames.get(r.varint());
      data.put(k, r.text());
    }
    return new Taken(n, lines, data);
  }

  /** Forgets {@code fid}. */
  boolean remove(String fid) {
    int slot = find(fid.getBytes(StandardCharsets.UTF_8), hash(fid));
    if (slot < 0) {
      return false;
    }
    removeAt(slot);
    return true;
  }

  /** Forgets every failure id the predicate accepts. */
  void removeIf(Predicate<String> which) {
    rebuild(records.length, i -> which.test(new Reader(records[i], -1).key()));
  }

  /**
   * Failure ids with failures after {@code limit}, with their counts (failures at or before it are
   * forgotten, and ids left with none).
   */
  Map<String, Integer> pending(long limit) {
    forget(limit);
    Map<String, Integer> out = new LinkedHashMap<>();
    for (byte[] rec : records) {
      if (rec != null) {
        Reader r = new Reader(rec, -1);
        String key = r.key();
        out.put(key, countAfter(r, limit));
      }
    }
    return out;
  }

  /** How many failure ids have failures after {@code limit}. */
  int failing(long limit) {
    forget(limit);
    return size;
  }

  /** Forgets ids whose every failure is at or before {@code limit}. */
  private void forget(long limit) {
    rebuild(records.length, i -> Integer.toUnsignedLong(newest[i]) <= limit);
  }

  private static int countAfter(Reader r, long limit) {
    int n = r.varint();
    int count = n;
    for (int i = 0; i < n; i++) {
      if (Integer.toUnsignedLong(r.int32()) > limit) {
        break;
      }
      count--;
    }
    return count;
  }

  // ---- the table

  /** Before a new id: forgets the expired, then grows the table, or drops if it may not grow. */
  private void makeRoom(long limit) {
    forget(limit);
    if (size + 1 > records.length * 3L / 4) {
      if (bytes() + (long) records.length * SLOT_BYTES <= maxBytes) {
        rebuild(records.length * 2, i -> false);
      } else {
        drop(Math.max(1, size / 8));
      }
    }
  }

  /** Drops the entries whose newest failure is oldest until the table holds at most target. */
  private void shrinkTo(long target) {
    for (int round = 0; round < 8 && bytes() > target && size > 0; round++) {
      long excess = bytes() - target;
      double perEntry = (double) recordBytes / size;
      drop((int) Math.min(size, Math.max(1, Math.ceil(excess / perEntry))));
    }
    if (bytes() > maxBytes && records.length > MIN_CAPACITY) {
      // the arrays alone are too large for the cap (it was lowered): a smaller table
      rebuild(capacityFor(size), i -> false);
    }
  }

  /** Drops the k entries whose newest failure is oldest (ties: any of them), and counts them. */
  private void drop(int k) {
    int[] order = new int[size];
    int n = 0;
    for (int i = 0; i < records.length; i++) {
      if (records[i] != null) {
        order[n++] = newest[i] ^ Integer.MIN_VALUE; // unsigned order as signed
      }
    }
    Arrays.sort(order);
    int threshold = order[k - 1];
    int older = 0;
    while (older < k && order[older] != threshold) {
      older++;
    }
    int[] sameToDrop = {k - older};
    long before = size;
    rebuild(
        records.length,
        i -> {
          int t = newest[i] ^ Integer.MIN_VALUE;
          if (t < threshold) {
            return true;
          }
          if (t == threshold && sameToDrop[0] > 0) {
            sameToDrop[0]--;
            return true;
          }
          return false;
        });
    dropped += before - size;
  }

  private static int capacityFor(int entries) {
    int c = MIN_CAPACITY;
    while (c * 3L / 4 < entries + 1L) {
      c *= 2;
    }
    return c;
  }

  /** Which slots a rebuild leaves out. */
  @FunctionalInterface
  private interface SlotFilter {
    boolean drop(int slot);
  }

  /** Rehashes the entries the filter keeps into a table of {@code capacity} slots. */
  private void rebuild(int capacity, SlotFilter drop) {
    byte[][] oldRecords = records;
    int[] oldHashes = hashes;
    int[] oldNewest = newest;
    int keep = 0;
    boolean[] gone = new boolean[oldRecords.length];
    for (int i = 0; i < oldRecords.length; i++) {
      if (oldRecords[i] != null) {
        if (drop.drop(i)) {
          gone[i] = true;
        } else {
          keep++;
        }
      }
    }
    int cap = Math.max(capacity, capacityFor(keep));
    if (keep == size && cap == oldRecords.length) {
      return;
    }
    records = new byte[cap][];
    hashes = new int[cap];
    newest = new int[cap];
    size = 0;
    recordBytes = 0;
    for (int i = 0; i < oldRecords.length; i++) {
      if (oldRecords[i] != null && !gone[i]) {
        insert(oldRecords[i], oldHashes[i], oldNewest[i]);
        size++;
        recordBytes += cost(oldRecords[i]);
      }
    }
  }

  private void insert(byte[] record, int hash, int newestTime) {
    int mask = records.length - 1;
    int i = hash & mask;
    while (records[i] != null) {
      i = (i + 1) & mask;
    }
    records[i] = record;
    hashes[i] = hash;
    newest[i] = newestTime;
  }

  private int find(byte[] key, int hash) {
    int mask = records.length - 1;
    for (int i = hash & mask; records[i] != null; i = (i + 1) & mask) {
      if (hashes[i] == hash && keyEquals(records[i], key)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean keyEquals(byte[] record, byte[] key) {
    int pos = 0;
    int len = 0;
    int shift = 0;
    int b;
    do {
      b = record[pos++];
      len |= (b & 0x7f) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    return len == key.length && Arrays.equals(record, pos, pos + len, key, 0, key.length);
  }

  /** Removes slot i, shifting back the entries after it that probed past it. */
  private void removeAt(int slot) {
    recordBytes -= cost(records[slot]);
    size--;
    int mask = records.length - 1;
    int i = slot;
    int j = slot;
    while (true) {
      j = (j + 1) & mask;
      if (records[j] == null) {
        break;
      }
      int home = hashes[j] & mask;
      boolean stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) {
        records[i] = records[j];
        hashes[i] = hashes[j];
        newest[i] = newest[j];
        i = j;
      }
    }
    records[i] = null;
  }

  /** The id's hash with its bits mixed (murmur3's finaliser), so that near ids spread out. */
  private static int hash(String fid) {
    int h = fid.hashCode();
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }

  /** Heap bytes of a record array: header plus contents, rounded up to 8. */
  private static long cost(byte[] record) {
    return (ARRAY_HEADER + record.length + 7) & ~7L;
  }

  private static int toUnsigned(long epochSecond) {
    return (int) Math.max(0, Math.min(0xFFFF_FFFFL, epochSecond));
  }

  /**
   * The reference a line of {@code n} bytes is best stored against, or -1 to store it whole; a line
   * alike to none becomes a reference itself while there is room.
   */
  private int reference(byte[] line, int n) {
    int best = -1;
    int bestShared = 0;
    for (int i = 0; i < references.length; i++) {
      int prefix = commonPrefix(line, n, references[i]);
      int shared = prefix + commonSuffix(line, n, references[i], prefix);
      if (shared > bestShared) {
        best = i;
        bestShared = shared;
      }
    }
    if (bestShared * 2 >= n) {
      return best;
    }
    if (references.length < MAX_REFERENCES && n >= 16 && n <= MAX_REFERENCE_LENGTH) {
      references = Arrays.copyOf(references, references.length + 1);
      references[references.length - 1] = Arrays.copyOf(line, n);
      referenceBytes += ARRAY_HEADER + 4 + cost(references[references.length - 1]);
      return references.length - 1;
    }
    return bestShared > 4 ? best : -1;
  }

  private static int commonPrefix(byte[] line, int n, byte[] ref) {
    int max = Math.min(n, ref.length);
    int i = Arrays.mismatch(line, 0, max, ref, 0, max);
    return i < 0 ? max : i;
  }

  /** The suffix shared, not overlapping a shared prefix of {@code prefix} bytes. */
  private static int commonSuffix(byte[] line, int n, byte[] ref, int prefix) {
    int max = Math.min(n, ref.length) - prefix;
    int k = 0;
    while (k < max && line[n - 1 - k] == ref[ref.length - 1 - k]) {
      k++;
    }
    return k;
  }

  private int fieldIndex(String name) {
    Integer i = fieldIndex.get(name);
    if (i == null) {
      i = fieldNames.size();
      fieldNames.add(name);
      fieldIndex.put(name, i);
    }
    return i;
  }

  /** The bytes of the entry being written. */
  private static final class Scratch {
    byte[] buf = new byte[256];
    int len;

    void reset() {
      len = 0;
    }

    void ensure(int more) {
      if (len + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      }
    }

    void varint(int v) {
      ensure(5);
      while ((v & ~0x7f) != 0) {
        buf[len++] = (byte) ((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      buf[len++] = (byte) v;
    }

    void int32(int v) {
      ensure(4);
      buf[len++] = (byte) (v >>> 24);
      buf[len++] = (byte) (v >>> 16);
      buf[len++] = (byte) (v >>> 8);
      buf[len++] = (byte) v;
    }

    void bytes(byte[] b, int off, int n) {
      ensure(n);
      System.arraycopy(b, off, buf, len, n);
      len += n;
    }

    void text(String s) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      varint(b.length);
      bytes(b, 0, b.length);
    }

    /** The line being stored, with its key left out, before it is encoded. */
    byte[] plain = new byte[256];

    /**
     * A line as UTF-8 with each occurrence of the entry's key (2 bytes or more) as {@link #KEY},
     * written as a reference (0: none) and, with one, the lengths of the prefix and suffix it
     * shares with it and the bytes between; without, its length and bytes.
     */
    void line(String s, byte[] key, FailureTable table) {
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      if (plain.length < b.length) {
        plain = new byte[Math.max(b.length, plain.length * 2)];
      }
      int n = 0;
      int from = 0;
      if (key.length >= 2) {
        for (int i = indexOf(b, key, 0); i >= 0; i = indexOf(b, key, i + key.length)) {
          System.arraycopy(b, from, plain, n, i - from);
          n += i - from;
          plain[n++] = KEY;
          from = i + key.length;
        }
      }
      System.arraycopy(b, from, plain, n, b.length - from);
      n += b.length - from;
      int ref = table.reference(plain, n);
      if (ref < 0) {
        varint(0);
        varint(n);
        bytes(plain, 0, n);
        return;
      }
      byte[] r = table.references[ref];
      int prefix = commonPrefix(plain, n, r);
      int suffix = commonSuffix(plain, n, r, prefix);
      varint(ref + 1);
      varint(prefix);
      varint(suffix);
      varint(n - prefix - suffix);
      bytes(plain, prefix, n - prefix - suffix);
    }

    private static int indexOf(byte[] b, byte[] key, int from) {
      outer:
      for (int i = from; i <= b.length - key.length; i++) {
        for (int j = 0; j < key.length; j++) {
          if (b[i + j] != key[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }
  }

  /** Reads an entry; positioned after its key (or at it, for {@link #key}). */
  private static final class Reader {
    final byte[] buf;
    int pos;

    /** Positioned at the times, past a key of known length. */
    Reader(byte[] buf, int keyLength) {
      this.buf = buf;
      if (keyLength >= 0) {
        varint();
        pos += keyLength;
      }
    }

    /** Positioned at the times. */
    Reader(byte[] buf) {
      this.buf = buf;
      int len = varint();
      pos += len;
    }

    /** Reads the key (the reader must be at the start) and leaves it at the times. */
    String key() {
      return text();
    }

    int varint() {
      int v = 0;
      int shift = 0;
      int b;
      do {
        b = buf[pos++];
        v |= (b & 0x7f) << shift;
        shift += 7;
      } while ((b & 0x80) != 0);
      return v;
    }

    int int32() {
      int v =
          (buf[pos] & 0xff) << 24
              | (buf[pos + 1] & 0xff) << 16
              | (buf[pos + 2] & 0xff) << 8
              | (buf[pos + 3] & 0xff);
      pos += 4;
      return v;
    }

    String text() {
      int n = varint();
      String s = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    /** Moves past a line written by {@link Scratch#line}. */
    void skipLine() {
      if (varint() != 0) {
        varint(); // prefix
        varint(); // suffix
      }
      int n = varint(); // the bytes stored
      pos += n;
    }

    /** A line written by {@link Scratch#line}, with the entry's key put back. */
    String line(byte[] key, byte[][] references) {
      int ref = varint();
      byte[] plain;
      int n;
      if (ref == 0) {
        n = varint();
        plain = buf;
      } else {
        byte[] r = references[ref - 1];
        int prefix = varint();
        int suffix = varint();
        int middle = varint();
        n = prefix + middle + suffix;
        plain = new byte[n];
        System.arraycopy(r, 0, plain, 0, prefix);
        System.arraycopy(buf, pos, plain, prefix, middle);
        System.arraycopy(r, r.length - suffix, plain, prefix + middle, suffix);
        pos += middle;
      }
      int start = ref == 0 ? pos : 0;
      int end = start + n;
      if (ref == 0) {
        pos = end;
      }
      int marks = 0;
      for (int i = start; i < end; i++) {
        if (plain[i] == KEY) {
          marks++;
        }
      }
      if (marks == 0) {
        return new String(plain, start, n, StandardCharsets.UTF_8);
      }
      byte[] out = new byte[n + marks * (key.length - 1)];
      int o = 0;
      for (int i = start; i < end; i++) {
        if (plain[i] == KEY) {
          System.arraycopy(key, 0, out, o, key.length);
          o += key.length;
        } else {
          out[o++] = plain[i];
        }
      }
      return new String(out, StandardCharsets.UTF_8);
    }
  }
}
