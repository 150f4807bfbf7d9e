package io.portcullis.plan;

import io.portcullis.action.Action;
import io.portcullis.action.MailAction;

/** {@code mail[dest=admin@example.org, ...]}: bans mailed to the admin, several to a mail. */
final class MailActionKind implements ActionKind {
  @Override
  public String name() {
    return "mail";
  }

  @Override
  public ActionPlan plan(ActionLine a) {
    try {
      return new Plan(a.jail().name(), MailAction.Settings.parse(a.options()));
    } catch (IllegalArgumentException e) {
      throw a.problem("action", e.getMessage());
    }
  }

  private record Plan(String jail, MailAction.Settings settings) implements ActionPlan {
    @Override
    public String name() {
      return "mail";
    }

    @Override
    public Action create(ActionRuntime rt) {
      return new MailAction(jail, settings, rt.clock(), rt.errors());
    }
  }
}
