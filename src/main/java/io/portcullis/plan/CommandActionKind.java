package io.portcullis.plan;

import io.portcullis.action.Action;
import io.portcullis.action.CommandAction;
import io.portcullis.config.ActionReader;
import java.util.Map;

/**
 * Any other name: a fail2ban {@code action.d} file of the config dir, read (and its [Init]
 * parameters and the line's options interpolated) when the plan is made.
 */
final class CommandActionKind implements ActionKind {
  @Override
  public String name() {
    return "action.d";
  }

  @Override
  public ActionPlan plan(ActionLine a) {
    Map<String, String> props =
        ActionReader.read(
            a.configDir(), a.name(), a.options(), a.jail().options(), a.jail().name());
    try {
      CommandAction.timeoutOf(props);
    } catch (IllegalArgumentException e) {
      throw a.problem("action", e.getMessage());
    }
    return new Plan(a.name(), a.jail().name(), props);
  }

  private record Plan(String name, String jail, Map<String, String> props) implements ActionPlan {
    Plan {
      props = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(props));
    }

    @Override
    public Action create(ActionRuntime rt) {
      return new CommandAction(name, jail, props, rt.commandPrefix(), rt.errors());
    }
  }
}
