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
      MailAction.Settings settings = MailAction.Settings.parse(a.options());
      return new Plan(a.jail().name(), settings, settings.country() ? countrydb(a) : null);
    } catch (IllegalArgumentException e) {
      throw a.problem("action", e.getMessage());
    }
  }

  /** countrydb of portcullis.conf, or null (none, or settings that say their own problem). */
  private static java.nio.file.Path countrydb(ActionLine a) {
    try {
      return io.portcullis.config.ServerSettings.read(a.configDir()).countrydb();
    } catch (io.portcullis.config.ConfigException e) {
      return null;
    }
  }

  /**
   * @param countrydb the database the mail's country comes from (the one {@code why} and {@code
   *     banned} read, walked once per version of the file for every user), or null: geoiplookup
   */
  private record Plan(String jail, MailAction.Settings settings, java.nio.file.Path countrydb)
      implements ActionPlan {
    @Override
    public String name() {
      return "mail";
    }

    @Override
    public Action create(ActionRuntime rt) {
      if (countrydb == null) {
        return new MailAction(jail, settings, rt.clock(), rt.errors());
      }
      var lookup =
          new io.portcullis.geo.CountryLookup(
              countrydb, io.portcullis.geo.CountryDatabases.shared());
      return new MailAction(jail, settings, rt.clock(), rt.errors(), lookup::of);
    }
  }
}
