package io.portcullis.plan;

import io.portcullis.config.ConfigException;
import io.portcullis.config.ConfigWarning;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a config dir makes: the jails that can run, those that cannot and why, the disabled ones.
 *
 * @param broken per jail, every problem that keeps it from running (each with file:line)
 * @param warnings what is probably a mistake but keeps nothing from running (options nothing reads)
 */
public record Assembly(
    List<JailPlan> plans,
    Map<String, List<ConfigException>> broken,
    List<String> disabled,
    List<ConfigWarning> warnings) {
  public Assembly {
    plans = List.copyOf(plans);
    broken = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(broken));
    disabled = List.copyOf(disabled);
    warnings = List.copyOf(warnings);
  }

  /** Problems that keep a jail from running. */
  public List<ConfigException> jailProblems() {
    List<ConfigException> all = new ArrayList<>();
    broken.values().forEach(all::addAll);
    return all;
  }
}
