package io.portcullis.plan;

/**
 * A kind of action a jail's {@code action} line can name ({@code firewall}, {@code mail} ...). A
 * new capability adds its kind to {@link ActionKinds}; nothing else changes.
 */
public interface ActionKind {
  /** The name an action line uses. */
  String name();

  /**
   * Checks an action line and returns what to run; nothing is started here.
   *
   * @throws io.portcullis.config.ConfigException (or IllegalArgumentException) saying what is wrong
   *     and what would be valid
   */
  ActionPlan plan(ActionLine line);
}
