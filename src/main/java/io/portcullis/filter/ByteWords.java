package io.portcullis.filter;

import java.nio.charset.StandardCharsets;

/**
 * Finds whether a byte line holds every word of at least one word set, in one pass over the line:
 * each position is looked at only when its byte starts the first (longest) word of some set.
 */
final class ByteWords {
  private final byte[][][] sets;
  private final int[][] byFirstByte = new int[256][];

  ByteWords(String[][] words) {
    sets = new byte[words.length][][];
    int[] counts = new int[256];
    for (int i = 0; i < words.length; i++) {
      sets[i] = new byte[words[i].length][];
      for (int j = 0; j < words[i].length; j++) {
        sets[i][j] = words[i][j].getBytes(StandardCharsets.UTF_8);
      }
      counts[sets[i][0][0] & 0xff]++;
    }
    for (int b = 0; b < 256; b++) {
      if (counts[b] > 0) {
        byFirstByte[b] = new int[counts[b]];
      }
    }
    int[] fill = new int[256];
    for (int i = 0; i < sets.length; i++) {
      int b = sets[i][0][0] & 0xff;
      byFirstByte[b][fill[b]++] = i;
    }
  }

  boolean anyAll(byte[] line, int start, int end) {
    for (int p = start; p < end; p++) {
      int[] candidates = byFirstByte[line[p] & 0xff];
      if (candidates == null) {
        continue;
      }
      for (int set : candidates) {
        byte[][] ws = sets[set];
        if (regionMatches(line, p, end, ws[0]) && containsRest(line, start, end, ws)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean containsRest(byte[] line, int start, int end, byte[][] ws) {
    for (int j = 1; j < ws.length; j++) {
      if (indexOf(line, start, end, ws[j]) < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean regionMatches(byte[] line, int at, int end, byte[] w) {
    if (end - at < w.length) {
      return false;
    }
    for (int k = 1; k < w.length; k++) {
      if (line[at + k] != w[k]) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] line, int start, int end, byte[] w) {
    byte first = w[0];
    for (int p = start, last = end - w.length; p <= last; p++) {
      if (line[p] == first && regionMatches(line, p, end, w)) {
        return p;
      }
    }
    return -1;
  }
}
