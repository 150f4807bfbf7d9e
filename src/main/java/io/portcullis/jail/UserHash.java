package io.portcullis.jail;

/** A 64-bit FNV-1a hash of a user name: distinct names per address are counted by it. */
final class UserHash {
  private UserHash() {}

  static long of(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      h ^= c & 0xff;
      h *= 0x100000001b3L;
      h ^= c >>> 8;
      h *= 0x100000001b3L;
    }
    return h;
  }
}
