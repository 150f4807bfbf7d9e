package io.portcullis.plan;

import io.portcullis.action.Action;
import io.portcullis.action.FirewallAction;
import io.portcullis.action.FirewallBackend;
import io.portcullis.action.FirewallKind;
import io.portcullis.action.Port;
import io.portcullis.action.Protocol;
import java.util.List;
import java.util.Locale;

/**
 * {@code firewall[port=5060,5061, protocol="udp,tcp", blocktype=drop, backend=nftables]}: bans in
 * the kernel. Ports and protocols are checked here, so that a bad {@code port} is a config problem
 * with its file and line, not a firewall that cannot be created at start.
 */
final class FirewallActionKind implements ActionKind {
  @Override
  public String name() {
    return "firewall";
  }

  @Override
  public ActionPlan plan(ActionLine a) {
    String backend = a.options().getOrDefault("backend", "nftables");
    FirewallKind kind =
        FirewallKind.of(backend)
            .orElseThrow(
                () ->
                    a.problem(
                        "backend",
                        "backend: '" + backend + "' is not valid (try nftables, ipset)"));
    String blocktype = a.options().getOrDefault("blocktype", "drop").strip();
    boolean reject =
        switch (blocktype.toLowerCase(Locale.ROOT)) {
          case "drop" -> false;
          case "reject" -> true;
          default ->
              throw a.problem(
                  "blocktype", "blocktype: '" + blocktype + "' is not valid (try drop, reject)");
        };
    List<Port> ports;
    try {
      ports = Port.parseList(a.option("port"), a.host()::service);
    } catch (IllegalArgumentException e) {
      throw a.problem("port", "port = " + a.option("port") + ": " + e.getMessage());
    }
    List<Protocol> protocols;
    try {
      protocols = Protocol.parseList(a.option("protocol"));
    } catch (IllegalArgumentException e) {
      throw a.problem("protocol", "protocol = " + a.option("protocol") + ": " + e.getMessage());
    }
    FirewallBackend.JailRule rule =
        new FirewallBackend.JailRule(a.jail().name(), ports, protocols, reject);
    return new Plan(rule, kind);
  }

  private record Plan(FirewallBackend.JailRule rule, FirewallKind kind) implements ActionPlan {
    @Override
    public String name() {
      return "firewall";
    }

    @Override
    public Action create(ActionRuntime rt) {
      FirewallBackend fw = rt.firewall(kind);
      fw.addJail(rule);
      return new FirewallAction(rule.jail(), fw, rt.clock());
    }
  }
}
