package io.portcullis.plan;

import io.portcullis.action.Action;
import io.portcullis.action.WebhookAction;

/** {@code webhook[url=https://..., format=generic|slack]}: a JSON POST per ban. */
final class WebhookActionKind implements ActionKind {
  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public ActionPlan plan(ActionLine a) {
    try {
      return new Plan(a.jail().name(), WebhookAction.Settings.parse(a.options()));
    } catch (IllegalArgumentException e) {
      throw a.problem("action", e.getMessage());
    }
  }

  private record Plan(String jail, WebhookAction.Settings settings) implements ActionPlan {
    @Override
    public String name() {
      return "webhook";
    }

    @Override
    public Action create(ActionRuntime rt) {
      return new WebhookAction(jail, settings, rt.errors());
    }
  }
}
