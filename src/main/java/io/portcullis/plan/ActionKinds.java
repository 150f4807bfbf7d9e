package io.portcullis.plan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The action kinds a jail may name. A name that no kind has is a fail2ban {@code action.d} file
 * ({@link CommandActionKind}).
 */
public final class ActionKinds {
  private final Map<String, ActionKind> kinds;
  private final ActionKind fallback;

  private ActionKinds(Map<String, ActionKind> kinds, ActionKind fallback) {
    this.kinds = Map.copyOf(kinds);
    this.fallback = fallback;
  }

  /** firewall, log, mail, webhook, and action.d files. */
  public static ActionKinds builtIn() {
    Map<String, ActionKind> m = new LinkedHashMap<>();
    for (ActionKind k :
        new ActionKind[] {
          new FirewallActionKind(),
          new LogActionKind(),
          new MailActionKind(),
          new WebhookActionKind()
        }) {
      m.put(k.name(), k);
    }
    return new ActionKinds(m, new CommandActionKind());
  }

  /** These kinds and one more (a capability's own action); it wins over an action.d file. */
  public ActionKinds with(ActionKind kind) {
    Map<String, ActionKind> m = new LinkedHashMap<>(kinds);
    if (m.putIfAbsent(kind.name(), kind) != null) {
      throw new IllegalArgumentException("action kind '" + kind.name() + "' exists already");
    }
    return new ActionKinds(m, fallback);
  }

  /** The kind of an action line's name. */
  public ActionKind of(String name) {
    return kinds.getOrDefault(name, fallback);
  }
}
