package io.portcullis.feed;

/**
 * How a feed's body lists its addresses. Each format only finds the candidate texts; {@link
 * FeedEntries} decides which are addresses or networks.
 */
public sealed interface FeedFormat {
  /** One entry per line, the first word; {@code #} and {@code ;} start a comment anywhere. */
  record Plain() implements FeedFormat {}

  /**
   * One entry per line in a column (1 is the first) of {@code delimiter}-separated fields; {@code
   * header}: the first line names the columns and is skipped. A field in double quotes loses them.
   */
  record Csv(int column, char delimiter, boolean header) implements FeedFormat {
    public Csv {
      if (column < 1) {
        throw new IllegalArgumentException("column counts from 1");
      }
    }
  }

  /** A JSON document and a path to the strings in it ({@link JsonPath}). */
  record Json(JsonPath path) implements FeedFormat {}

  /**
   * APIBAN's paged JSON: each page is {@code {"ipaddress": [...], "ID": "..."}}; the next page is
   * the feed's URL followed by {@code /ID}; {@code "ID": "none"} (or an HTTP 400 carrying it) ends
   * the list. See docs/feeds.md for where this comes from.
   */
  record Apiban() implements FeedFormat {}

  /** The name used in the config and in status. */
  default String describe() {
    if (this instanceof Csv c) {
      return "csv column " + c.column() + (c.header() ? " (header skipped)" : "");
    }
    if (this instanceof Json j) {
      return "json " + j.path();
    }
    return this instanceof Apiban ? "apiban" : "plain";
  }
}
