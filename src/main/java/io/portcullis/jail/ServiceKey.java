package io.portcullis.jail;

import java.util.Map;

/**
 * The service a line names, as one key, from the text a filter captured with {@code <F-SERVICE>}:
 * the table of docs/filters/asterisk.md#counting-an-attempt-once. Lines of one attempt pair only
 * within one service, and a login's trust covers only its own service.
 */
final class ServiceKey {
  private static final Map<String, String> KEYS =
      Map.ofEntries(
          Map.entry("res_pjsip", "pjsip"),
          Map.entry("PJSIP", "pjsip"),
          Map.entry("SIP ACL", "pjsip"),
          Map.entry("chan_sip", "sip"),
          Map.entry("SIP Peer ACL", "sip"),
          Map.entry("chan_iax2", "iax2"),
          Map.entry("IAX2 Peer ACL", "iax2"),
          Map.entry("manager", "ami"),
          Map.entry("AMI", "ami"),
          Map.entry("Manager User ACL", "ami"),
          Map.entry("ARI User ACL", "ari"),
          Map.entry("HTTP Path ACL", "http"));

  private ServiceKey() {}

  /** The key of a captured service text, or null when there is none or it is not in the table. */
  static String of(String captured) {
    return captured == null ? null : KEYS.get(captured);
  }
}
