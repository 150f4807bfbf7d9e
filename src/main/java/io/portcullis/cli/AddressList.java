package io.portcullis.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A list of addresses given to {@code ban --file}: separated by spaces, tabs or lines; blank lines
 * and lines whose first non-blank character is {@code #} are skipped. The addresses are checked by
 * the server (a bad one gets its error there, with the address).
 */
final class AddressList {
  private AddressList() {}

  static List<String> read(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(r);
    }
  }

  static List<String> read(Reader reader) throws IOException {
    BufferedReader in =
        reader instanceof BufferedReader b ? b : new BufferedReader(reader, 1 << 16);
    List<String> out = new ArrayList<>();
    String line;
    while ((line = in.readLine()) != null) {
      int n = line.length();
      int i = 0;
      while (i < n && isSpace(line.charAt(i))) {
        i++;
      }
      if (i < n && line.charAt(i) == '#') {
        continue;
      }
      while (i < n) {
        int start = i;
        while (i < n && !isSpace(line.charAt(i))) {
          i++;
        }
        out.add(line.substring(start, i));
        while (i < n && isSpace(line.charAt(i))) {
          i++;
        }
      }
    }
    return out;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f';
  }
}
