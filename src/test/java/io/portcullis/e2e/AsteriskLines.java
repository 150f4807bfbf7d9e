package io.portcullis.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lines Asterisk writes, given this scene's time and addresses. Asterisk is not packaged for Debian
 * 12: the PJSIP ChallengeResponseFailed security event is one real Asterisk wrote, from fail2ban's
 * sample log (Debian's package, fetched at test time, never copied here); its PJSIP notices are
 * Asterisk 13's (no method), which 16-22 no longer write, so the "Failed to authenticate" notice
 * and the SuccessfulAuth event come from our asterisk sample log, whose lines follow the inventory
 * of Asterisk's source (docs/filters/asterisk.md, rows P1a and E6).
 */
final class AsteriskLines {
  private static final Pattern STAMP = Pattern.compile("^\\[[^\\]]+\\]");
  private static final Pattern FAILED_FOR = Pattern.compile("failed for '[^']+'");
  private static final Pattern REMOTE = Pattern.compile("RemoteAddress=\"IPV[46]/\\w+/[^\"]+\"");

  private final String pjsip;
  private final String challenge;
  private final String success;

  private AsteriskLines(String pjsip, String challenge, String success) {
    this.pjsip = pjsip;
    this.challenge = challenge;
    this.success = success;
  }

  /** {@code reference}: where scripts/fetch-reference.sh unpacked Debian's fail2ban package. */
  static AsteriskLines load(Path reference) throws IOException {
    List<String> recorded =
        Files.readAllLines(
            reference.resolve("usr/lib/python3/dist-packages/fail2ban/tests/files/logs/asterisk"));
    List<String> ours = Files.readAllLines(Path.of("src/test/resources/filters/logs/asterisk"));
    return new AsteriskLines(
        first(
            ours,
            l ->
                l.startsWith("[")
                    && l.contains("res_pjsip/pjsip_distributor.c: Request 'REGISTER'")
                    && l.endsWith("- Failed to authenticate")),
        first(
            recorded,
            l ->
                l.contains("SecurityEvent=\"ChallengeResponseFailed\"")
                    && l.contains("Service=\"PJSIP\"")
                    && l.contains("RemoteAddress=\"IPV4/UDP/")),
        first(
            ours,
            l ->
                l.startsWith("[")
                    && l.contains("SecurityEvent=\"SuccessfulAuth\"")
                    && l.contains("Service=\"PJSIP\"")));
  }

  private static String first(List<String> lines, Predicate<String> wanted) throws IOException {
    return lines.stream()
        .filter(l -> !l.startsWith("#"))
        .filter(wanted)
        .findFirst()
        .orElseThrow(() -> new IOException("no recorded Asterisk line of the kind needed"));
  }

  String pjsipFailure(String stamp, String ip, int port) {
    String peer = ip.contains(":") ? "[" + ip + "]:" + port : ip + ":" + port;
    return replace(
        STAMP.matcher(pjsip).replaceFirst(Matcher.quoteReplacement(stamp)),
        FAILED_FOR,
        "failed for '" + peer + "'");
  }

  String securityFailure(String stamp, String ip, int port, String proto) {
    return remote(challenge, stamp, ip, port, proto);
  }

  String success(String stamp, String ip, int port, String proto) {
    return remote(success, stamp, ip, port, proto);
  }

  private static String remote(String line, String stamp, String ip, int port, String proto) {
    String family = ip.contains(":") ? "IPV6" : "IPV4";
    return replace(
        STAMP.matcher(line).replaceFirst(Matcher.quoteReplacement(stamp)),
        REMOTE,
        "RemoteAddress=\"" + family + "/" + proto + "/" + ip + "/" + port + "\"");
  }

  private static String replace(String line, Pattern what, String with) {
    Matcher m = what.matcher(line);
    if (!m.find()) {
      throw new IllegalStateException("recorded line changed shape: " + line);
    }
    return m.replaceFirst(Matcher.quoteReplacement(with));
  }
}
