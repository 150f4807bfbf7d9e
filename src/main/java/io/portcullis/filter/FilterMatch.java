package io.portcullis.filter;

import io.portcullis.net.IpAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a line (or a multi-line group of lines) told the filter.
 *
 * @param kind a failure, or a successful login (from {@code successregex})
 * @param regex index of the failregex (or successregex) that matched
 * @param fid the failure id: the canonical address, or the raw text of a {@code <F-ID>} or name
 * @param ip the address when the failure carries one, else null
 * @param host the raw text captured as the host (address or name), or null
 * @param time the line's time, or null when it had none
 * @param groups every named capture (user, mlfid, ...), raw text as written in the log
 * @param lines the log lines that make up this failure
 * @param users all users seen on a multi-line connection
 */
public record FilterMatch(
    Kind kind,
    int regex,
    String fid,
    IpAddress ip,
    String host,
    Instant time,
    Map<String, String> groups,
    List<String> lines,
    Set<String> users) {

  public enum Kind {
    FAILURE,
    SUCCESS
  }

  public FilterMatch {
    groups = Map.copyOf(groups);
    lines = List.copyOf(lines);
    users = Set.copyOf(users);
  }

  /** How many lines were gathered for this failure ("attempts" in fail2ban's terms). */
  public int attempts() {
    return lines.size();
  }
}
