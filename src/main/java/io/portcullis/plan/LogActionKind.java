package io.portcullis.plan;

import io.portcullis.action.Action;
import io.portcullis.action.LogAction;
import java.nio.file.Path;
import java.util.Locale;

/** {@code log} and {@code log[file=/path, stamp=yes]}: bans in the server log (and a file). */
final class LogActionKind implements ActionKind {
  @Override
  public String name() {
    return "log";
  }

  @Override
  public ActionPlan plan(ActionLine a) {
    String file = a.options().get("file");
    String stamp = a.options().getOrDefault("stamp", "no").strip().toLowerCase(Locale.ROOT);
    boolean stamped =
        switch (stamp) {
          case "yes", "true", "1" -> true;
          case "no", "false", "0" -> false;
          default -> throw a.problem("stamp", "stamp: '" + stamp + "' is not yes or no");
        };
    return new Plan(a.jail().name(), file == null ? null : Path.of(file), stamped);
  }

  private record Plan(String jail, Path file, boolean stamp) implements ActionPlan {
    @Override
    public String name() {
      return "log";
    }

    @Override
    public Action create(ActionRuntime rt) {
      return new LogAction(jail, file, rt.info(), stamp);
    }
  }
}
