package io.portcullis.feed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/** Turns a feed's body (or APIBAN's pages) into checked {@link FeedEntries}. */
final class FeedParser {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonPath APIBAN_LIST = JsonPath.parse("ipaddress[]");

  private FeedParser() {}

  /** A body that is not in the feed's format at all (not JSON, a path that finds nothing ...). */
  static final class CorruptBody extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptBody(String message) {
      super(message);
    }
  }

  /** Parses the pages of one download (one page unless the format is APIBAN's). */
  static FeedEntries parse(FeedFormat format, List<String> pages, int max) throws CorruptBody {
    FeedEntries.Builder b = new FeedEntries.Builder(max);
    for (String page : pages) {
      if (format instanceof FeedFormat.Csv c) {
        csv(page, c, b);
      } else if (format instanceof FeedFormat.Json j) {
        json(page, j.path(), b);
      } else if (format instanceof FeedFormat.Apiban) {
        json(page, APIBAN_LIST, b);
      } else {
        plain(page, b);
      }
    }
    return b.build();
  }

  private static void plain(String body, FeedEntries.Builder b) {
    for (String line : body.split("\n", -1)) {
      String t = stripComment(line).strip();
      if (t.isEmpty()) {
        continue;
      }
      int space = indexOfSpace(t);
      b.candidate(space < 0 ? t : t.substring(0, space));
    }
  }

  private static String stripComment(String line) {
    int hash = line.indexOf('#');
    int semi = line.indexOf(';');
    int cut = hash < 0 ? semi : semi < 0 ? hash : Math.min(hash, semi);
    return cut < 0 ? line : line.substring(0, cut);
  }

  private static int indexOfSpace(String t) {
    for (int i = 0; i < t.length(); i++) {
      if (Character.isWhitespace(t.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  private static void csv(String body, FeedFormat.Csv c, FeedEntries.Builder b) {
    boolean first = true;
    for (String line : body.split("\n", -1)) {
      String t = line.strip();
      if (first && c.header()) {
        first = false;
        continue;
      }
      first = false;
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String[] fields = t.split(java.util.regex.Pattern.quote(String.valueOf(c.delimiter())), -1);
      if (fields.length < c.column()) {
        b.invalid(t.length() > 60 ? t.substring(0, 60) + "..." : t);
        continue;
      }
      String f = fields[c.column() - 1].strip();
      if (f.length() >= 2 && f.startsWith("\"") && f.endsWith("\"")) {
        f = f.substring(1, f.length() - 1);
      }
      b.candidate(f);
    }
  }

  private static void json(String body, JsonPath path, FeedEntries.Builder b) throws CorruptBody {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new CorruptBody("not JSON: " + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode()) {
      throw new CorruptBody("an empty body where JSON was expected");
    }
    path.visit(
        root,
        n -> {
          if (n.isTextual()) {
            b.candidate(n.asText());
          } else {
            b.invalid(n.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
          }
        });
  }
}
