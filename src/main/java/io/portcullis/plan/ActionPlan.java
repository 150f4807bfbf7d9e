package io.portcullis.plan;

import io.portcullis.action.Action;

/** A checked action line: everything needed to create the action, nothing running yet. */
public interface ActionPlan {
  /** The action's name, as status shows it. */
  String name();

  /** Creates the running action (once per server start or reload). */
  Action create(ActionRuntime runtime);
}
