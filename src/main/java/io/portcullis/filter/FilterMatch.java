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

  /** Whether the captures name someone: an address, a host name or a failure id. */
  static boolean names(Map<String, String> fields) {
    return fields.get("ip4") != null
        || fields.get("ip6") != null
        || fields.get("dns") != null
        || fields.get("fid") != null;
  }

  /**
   * Builds the result; null when the captures name nobody yet (a connection whose address is not
   * logged yet) or hold an address that is not one.
   */
  static FilterMatch of(
      FilterMatch.Kind kind,
      int index,
      Map<String, String> fields,
      List<String> lines,
      Set<String> users,
      Instant time) {
    String fid = fields.get("fid");
    String ip4 = fields.get("ip4");
    String ip6 = fields.get("ip6");
    String host = ip4 != null ? ip4 : ip6 != null ? ip6 : fields.get("dns");
    IpAddress ip = null;
    if (ip4 != null || ip6 != null) {
      ip = IpAddress.parseOrNull(host);
      String cidr = fields.get("cidr");
      if (ip != null && cidr != null) {
        try {
          ip = ip.network(Integer.parseInt(cidr));
        } catch (IllegalArgumentException badPrefix) {
          ip = null;
        }
      }
      if (ip == null) {
        // looked like an address (999.1.2.3) but is not one: nobody to ban
        return null;
      }
    }
    if (host == null && fid == null) {
      return null;
    }
    String id;
    if (fid == null || fid.equals(host)) {
      id = ip != null ? ip.toString() : host;
    } else {
      id = fid;
    }
    return new FilterMatch(kind, index, id, ip, host, time, fields, lines, users);
  }
}
