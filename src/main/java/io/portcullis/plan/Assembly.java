package io.portcullis.plan;

import io.portcullis.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a config dir makes: the jails that can run, those that cannot and why, the disabled ones.
 *
 * @param broken per jail, every problem that keeps it from running (each with file:line)
 */
public record Assembly(
    List<JailPlan> plans, Map<String, List<ConfigException>> broken, List<String> disabled) {
  public Assembly {
    plans = List.copyOf(plans);
    broken = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(broken));
    disabled = List.copyOf(disabled);
  }

  /** Problems that keep a jail from running. */
  public List<ConfigException> jailProblems() {
    List<ConfigException> all = new ArrayList<>();
    broken.values().forEach(all::addAll);
    return all;
  }
}
