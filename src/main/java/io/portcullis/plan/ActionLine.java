package io.portcullis.plan;

import io.portcullis.config.ConfigException;
import io.portcullis.config.JailDefinition;
import io.portcullis.config.OptionList;
import io.portcullis.config.Origin;
import java.nio.file.Path;
import java.util.Map;

/**
 * One {@code action} line of a jail, with what an {@link ActionKind} may need to plan it.
 *
 * @param line the name and its {@code [opt=value]} options
 * @param jail the jail's definition (its options are the action's defaults, as in fail2ban)
 * @param configDir where {@code action.d} is
 */
public record ActionLine(OptionList line, JailDefinition jail, Path configDir, Host host) {
  public String name() {
    return line.name();
  }

  public Map<String, String> options() {
    return line.options();
  }

  /** An option of the line, else the jail's (port, protocol ...), else null. */
  public String option(String key) {
    String v = line.options().get(key);
    return v != null ? v : jail.options().get(key);
  }

  /** Where an option was written: the action line, or the jail's own option. */
  public Origin origin(String key) {
    return line.options().containsKey(key) || !jail.options().containsKey(key)
        ? jail.origin("action")
        : jail.origin(key);
  }

  /** A problem with one option, said where that option was written. */
  public ConfigException problem(String key, String message) {
    return new ConfigException(origin(key), message);
  }
}
