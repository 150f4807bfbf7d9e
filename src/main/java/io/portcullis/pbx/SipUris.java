package io.portcullis.pbx;

import io.portcullis.net.IpAddress;

/** The host of a SIP URI as registrars print it, when it is an address. */
final class SipUris {
  private SipUris() {}

  /**
   * The address in {@code sip:[user@]host[:port][;params]} (IPv6 in brackets), or null when the URI
   * has another shape or its host is a name.
   */
  static IpAddress host(String uri) {
    if (uri == null) {
      return null;
    }
    String u = uri.strip();
    if (u.startsWith("<") && u.endsWith(">")) {
      u = u.substring(1, u.length() - 1);
    }
    int colon = u.indexOf(':');
    if (colon < 0) {
      return null;
    }
    String scheme = u.substring(0, colon);
    if (!scheme.equalsIgnoreCase("sip") && !scheme.equalsIgnoreCase("sips")) {
      return null;
    }
    String rest = u.substring(colon + 1);
    int params = indexOfAny(rest, ";?>");
    if (params >= 0) {
      rest = rest.substring(0, params);
    }
    int at = rest.lastIndexOf('@');
    String hostport = at >= 0 ? rest.substring(at + 1) : rest;
    String host;
    if (hostport.startsWith("[")) {
      int close = hostport.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = hostport.substring(1, close);
      String after = hostport.substring(close + 1);
      if (!after.isEmpty() && !after.matches(":\\d{1,5}")) {
        return null;
      }
    } else {
      int p = hostport.indexOf(':');
      host = p >= 0 ? hostport.substring(0, p) : hostport;
      if (p >= 0 && !hostport.substring(p + 1).matches("\\d{1,5}")) {
        return null;
      }
    }
    IpAddress ip = IpAddress.parseOrNull(host);
    return ip == null || ip.toString().contains("/") ? null : ip;
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
