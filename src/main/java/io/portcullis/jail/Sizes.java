package io.portcullis.jail;

/**
 * Estimated heap sizes (64-bit JVM, compressed references) of the objects the guards keep per
 * address or account, so that their state can be capped in bytes like {@link FailureTable}. An
 * estimate errs high: it counts a key string even when another map holds the same one.
 */
final class Sizes {
  /** A small object: header and a few fields. */
  static final int OBJECT = 24;

  private Sizes() {}

  /** An array of {@code n} references or ints. */
  static int array(int n) {
    return 16 + 4 * n;
  }

  /** An array of {@code n} longs. */
  static int longs(int n) {
    return 16 + 8 * n;
  }

  /** A string of {@code n} Latin-1 characters (object and its byte array). */
  static int string(int n) {
    return 24 + 16 + ((n + 7) & ~7);
  }

  /** One entry of a linked hash map keyed by {@code key}: the entry, its table slot, the key. */
  static int entry(String key) {
    return 40 + 8 + string(key.length());
  }
}
