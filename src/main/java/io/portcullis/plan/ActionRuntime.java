package io.portcullis.plan;

import io.portcullis.action.FirewallBackend;
import io.portcullis.action.FirewallKind;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

/** What a running server gives the actions it creates. */
public interface ActionRuntime {
  Clock clock();

  /** Where an action reports a failure (the server log, level error). */
  Consumer<String> errors();

  /** Where an action reports what it did (the server log, level info). */
  Consumer<String> info();

  /** Runs commands inside something, e.g. {@code ip netns exec NAME}; empty for none. */
  List<String> commandPrefix();

  /** The firewall of a kind, shared by every jail that uses it. */
  FirewallBackend firewall(FirewallKind kind);
}
