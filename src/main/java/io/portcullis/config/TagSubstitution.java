package io.portcullis.config;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code <name>} references inside option values with other options' values, innermost
 * first, until nothing changes: {@code <mdre-<mode>>} becomes {@code <mdre-normal>} and then that
 * option's value. A tag that names no option is left as it is (so {@code <HOST>} survives for the
 * regex compiler). A value that refers to itself, directly or in a cycle, is an error.
 */
public final class TagSubstitution {
  private static final Pattern TAG = Pattern.compile("<([^ <>]+)>");
  private static final int MAX_REPLACEMENTS = 25;

  private TagSubstitution() {}

  /**
   * @param values options whose values are resolved (in place of a copy)
   * @param ignore options left untouched and tags never replaced
   * @param fallback looks up a tag that is not among {@code values}; null when unknown
   */
  public static Map<String, String> resolve(
      Map<String, String> values, Set<String> ignore, Function<String, String> fallback) {
    Map<String, String> tags = new LinkedHashMap<>(values);
    Set<String> done = new HashSet<>();
    Map<String, Map<String, Integer>> counts = new HashMap<>();
    boolean again = true;
    while (again) {
      again = false;
      for (String tag : tags.keySet().toArray(new String[0])) {
        if (ignore.contains(tag) || done.contains(tag)) {
          continue;
        }
        String original = tags.get(tag);
        String value = original;
        Map<String, Integer> replaced = counts.computeIfAbsent(tag, k -> new HashMap<>());
        Matcher m = TAG.matcher(value);
        int from = 0;
        while (m.find(from)) {
          String ref = m.group(1);
          if (ignore.contains(ref)) {
            from = m.end();
            continue;
          }
          if (ref.equals(tag) || replaced.getOrDefault(ref, 0) > MAX_REPLACEMENTS) {
            throw new ConfigException(
                "option '"
                    + tag
                    + "' refers to itself through <"
                    + ref
                    + "> and cannot be resolved: "
                    + value);
          }
          String replacement = tags.get(ref);
          if (replacement == null && fallback != null) {
            replacement = fallback.apply(ref);
          }
          if (replacement == null) {
            from = m.end();
            continue;
          }
          int start = m.start();
          String tagText = "<" + ref + ">";
          if (grown(value, tagText, replacement) > IniConfig.MAX_VALUE) {
            // tags that repeat each other grow exponentially (as %(name)s ones do in IniConfig)
            throw new ConfigException(
                "option '"
                    + tag
                    + "' grows past "
                    + IniConfig.MAX_VALUE
                    + " characters when its <tags> are filled in (tags that repeat each other?)");
          }
          value = value.replace(tagText, replacement);
          replaced.merge(ref, 1, Integer::sum);
          // search again from where the tag stood: the replacement may hold tags itself
          m = TAG.matcher(value);
          from = Math.min(start, value.length());
        }
        if (!original.equals(value)) {
          if (TAG.matcher(value).find()) {
            again = true;
          }
          tags.put(tag, value);
        }
        if (value.indexOf('<') < 0) {
          done.add(tag);
        }
      }
    }
    return tags;
  }

  /** The length {@code value} would have with every {@code tag} replaced, counted before. */
  private static long grown(String value, String tag, String replacement) {
    long count = 0;
    for (int i = value.indexOf(tag); i >= 0; i = value.indexOf(tag, i + tag.length())) {
      count++;
    }
    return value.length() + count * (replacement.length() - (long) tag.length());
  }
}
