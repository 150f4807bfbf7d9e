package io.portcullis.regex;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a text must contain for a regex to match it: a formula of literal words joined by "all of"
 * and "one of". {@link #ANY} claims nothing. A word is a run of ASCII letters, digits and
 * underscores, so it can be searched in UTF-8 bytes and in a line whose date has not been cut out
 * yet (see {@code DateTemplate.mayJoinWords}).
 */
public sealed interface Need {
  /** The formula that every text satisfies. */
  Need ANY = new Any();

  /** Whether a text with exactly these words satisfies the formula. */
  boolean test(Predicate<String> has);

  /** Every word the formula names. */
  default Set<String> words() {
    Set<String> out = new LinkedHashSet<>();
    collect(this, out);
    return out;
  }

  private static void collect(Need n, Set<String> out) {
    if (n instanceof Word w) {
      out.add(w.text());
    } else if (n instanceof All a) {
      a.parts().forEach(p -> collect(p, out));
    } else if (n instanceof OneOf o) {
      o.options().forEach(p -> collect(p, out));
    }
  }

  /** No requirement. */
  record Any() implements Need {
    @Override
    public boolean test(Predicate<String> has) {
      return true;
    }

    @Override
    public String toString() {
      return "ANY";
    }
  }

  /** The text holds this word (anywhere, also inside a longer word). */
  record Word(String text) implements Need {
    public Word {
      for (int i = 0; i < text.length(); i++) {
        if (!isAsciiWord(text.charAt(i))) {
          throw new IllegalArgumentException("not an ASCII word: " + text);
        }
      }
    }

    @Override
    public boolean test(Predicate<String> has) {
      return has.test(text);
    }

    @Override
    public String toString() {
      return '"' + text + '"';
    }
  }

  /** Every part holds. Build with {@link #all}. */
  record All(List<Need> parts) implements Need {
    public All {
      parts = List.copyOf(parts);
    }

    @Override
    public boolean test(Predicate<String> has) {
      for (Need p : parts) {
        if (!p.test(has)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String toString() {
      return "all" + parts;
    }
  }

  /** At least one option holds. Build with {@link #oneOf}. */
  record OneOf(List<Need> options) implements Need {
    public OneOf {
      options = List.copyOf(options);
    }

    @Override
    public boolean test(Predicate<String> has) {
      for (Need p : options) {
        if (p.test(has)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String toString() {
      return "oneOf" + options;
    }
  }

  /** All of the parts, simplified: nested "all" flattened, ANY and repeats dropped. */
  static Need all(List<Need> parts) {
    Set<Need> flat = new LinkedHashSet<>();
    for (Need p : parts) {
      if (p instanceof All a) {
        flat.addAll(a.parts());
      } else if (!(p instanceof Any)) {
        flat.add(p);
      }
    }
    // a "one of" that another part already implies says nothing more: all(a, oneOf(a, b)) = a
    flat.removeIf(p -> p instanceof OneOf o && o.options().stream().anyMatch(flat::contains));
    if (flat.isEmpty()) {
      return ANY;
    }
    return flat.size() == 1 ? flat.iterator().next() : new All(new ArrayList<>(flat));
  }

  /** One of the options, simplified: ANY when any option is ANY, nested "one of" flattened. */
  static Need oneOf(List<Need> options) {
    Set<Need> flat = new LinkedHashSet<>();
    for (Need o : options) {
      if (o instanceof Any) {
        return ANY;
      }
      if (o instanceof OneOf n) {
        flat.addAll(n.options());
      } else {
        flat.add(o);
      }
    }
    if (flat.isEmpty()) {
      return ANY;
    }
    // an option that holds whenever a smaller one holds adds nothing: oneOf(a, all(a, b)) = a
    flat.removeIf(o -> o instanceof All a && a.parts().stream().anyMatch(flat::contains));
    return flat.size() == 1 ? flat.iterator().next() : new OneOf(new ArrayList<>(flat));
  }

  /** The words of a literal text, each at least {@code min} characters long, all required. */
  static Need wordsOf(String literal, int min) {
    List<Need> words = new ArrayList<>();
    int start = -1;
    for (int i = 0; i <= literal.length(); i++) {
      boolean word = i < literal.length() && isAsciiWord(literal.charAt(i));
      if (word && start < 0) {
        start = i;
      } else if (!word && start >= 0) {
        if (i - start >= min) {
          words.add(new Word(literal.substring(start, i)));
        }
        start = -1;
      }
    }
    return all(words);
  }

  static boolean isAsciiWord(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }
}
