package io.portcullis.feed;

import io.portcullis.net.IpAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one download of a feed lists, checked: addresses and networks (v4 and v6) in canonical form,
 * without duplicates, at most {@code maxentries}. Text that is not an address is counted as invalid
 * (the first few kept for the log); networks that would cut off too much (shorter than /8 for IPv4
 * or /16 for IPv6) or that touch loopback or the unspecified address are refused; a network inside
 * another network of the list is dropped (an nftables interval set refuses overlaps).
 *
 * @param entries in the order first seen
 * @param invalid candidate texts that were not addresses
 * @param samples up to {@link #SAMPLES} of them, for the log
 * @param refused networks too wide, loopback, unspecified
 * @param overLimit valid entries beyond {@code maxentries}, not used
 */
public record FeedEntries(
    List<IpAddress> entries, int invalid, List<String> samples, int refused, int overLimit) {
  static final int SAMPLES = 3;
  private static final int MIN_V4 = 8;
  private static final int MIN_V6 = 16;
  private static final List<IpAddress> NEVER =
      List.of(
          IpAddress.parse("127.0.0.0/8"),
          IpAddress.parse("0.0.0.0/8"),
          IpAddress.parse("::1"),
          IpAddress.parse("::"));

  public FeedEntries {
    entries = List.copyOf(entries);
    samples = List.copyOf(samples);
  }

  /** Collects candidate texts from a format and checks them. */
  static final class Builder {
    private final int max;
    private final Set<IpAddress> seen = new LinkedHashSet<>();
    private final List<String> samples = new ArrayList<>();
    private int invalid;
    private int refused;
    private int overLimit;

    Builder(int max) {
      this.max = max;
    }

    void candidate(String text) {
      IpAddress ip = IpAddress.parseOrNull(text);
      if (ip == null) {
        invalid++;
        if (samples.size() < SAMPLES) {
          String shown = text.length() > 60 ? text.substring(0, 60) + "..." : text;
          // attacker-chosen bytes reach the log only as printable ASCII
          samples.add(shown.replaceAll("[^\\x20-\\x7e]", "?"));
        }
        return;
      }
      if (tooWide(ip)) {
        refused++;
        return;
      }
      if (seen.contains(ip)) {
        return;
      }
      if (seen.size() >= max) {
        overLimit++;
        return;
      }
      seen.add(ip);
    }

    void invalid(String text) {
      invalid++;
      if (samples.size() < SAMPLES) {
        samples.add(text);
      }
    }

    FeedEntries build() {
      List<IpAddress> out = new ArrayList<>(seen.size());
      for (IpAddress ip : seen) {
        if (!insideAnother(ip)) {
          out.add(ip);
        }
      }
      return new FeedEntries(out, invalid, samples, refused, overLimit);
    }

    /** A network held by a wider network of the list; single addresses stay (another set). */
    private boolean insideAnother(IpAddress ip) {
      for (int width = ip.isV4() ? MIN_V4 : MIN_V6; width < ip.prefix(); width++) {
        if (seen.contains(ip.network(width))) {
          return true;
        }
      }
      return false;
    }
  }

  /** Whether a network would block too much: very wide, or holding loopback or unspecified. */
  static boolean tooWide(IpAddress ip) {
    if (ip.prefix() >= 0 && ip.prefix() < (ip.isV4() ? MIN_V4 : MIN_V6)) {
      return true;
    }
    for (IpAddress n : NEVER) {
      if (n.contains(ip) || ip.contains(n)) {
        return true;
      }
    }
    return false;
  }
}
