package io.portcullis.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * A generator of test values: a function of a seeded {@link Draw}. The property tests build their
 * cases from these few pieces and run them with {@link Properties#check}. There is no shrinking: a
 * failure names the seed and the try, which replay the same value.
 *
 * <p>Edge cases: when {@link Draw#edges()} is set (the first tries of a property, see {@link
 * Properties}), the primitive generators give a bound instead of a random value: {@link #ints} and
 * {@link #longs} their minimum or maximum, {@link #list} and {@link #strings} their shortest or
 * longest form (the empty list or string when the minimum is 0). Choices ({@link #of}, {@link
 * #oneOf}, {@link #frequency}) stay random, so the edge tries mix bounds over all the choices.
 *
 * @param <T> the type of the values
 */
@FunctionalInterface
public interface Gen<T> {

  /** Draws one value. */
  T next(Draw d);

  /** The random source of one try: a seeded generator, and whether this try takes edge values. */
  final class Draw implements RandomGenerator {
    private final RandomGenerator rnd;
    private final boolean edges;

    public Draw(RandomGenerator rnd, boolean edges) {
      this.rnd = Objects.requireNonNull(rnd);
      this.edges = edges;
    }

    /** Whether the primitive generators give their bounds in this try. */
    public boolean edges() {
      return edges;
    }

    @Override
    public long nextLong() {
      return rnd.nextLong();
    }
  }

  /** This generator's values, transformed. */
  default <R> Gen<R> map(Function<? super T, ? extends R> f) {
    return d -> f.apply(next(d));
  }

  /** A generator chosen by this generator's value, then drawn from. */
  default <R> Gen<R> flatMap(Function<? super T, ? extends Gen<? extends R>> f) {
    return d -> f.apply(next(d)).next(d);
  }

  /**
   * Only the values that pass; draws again (at most 1000 times, then fails: a filter that rejects
   * nearly everything is a generator to rewrite).
   */
  default Gen<T> filter(Predicate<? super T> keep) {
    return d -> {
      for (int i = 0; i < 1000; i++) {
        T v = next(d);
        if (keep.test(v)) {
          return v;
        }
      }
      throw new IllegalStateException("Gen.filter: 1000 values in a row rejected");
    };
  }

  /** Lists of {@code min} to {@code max} values of this generator (edge tries: min or max). */
  default Gen<List<T>> list(int min, int max) {
    Gen<Integer> size = ints(min, max);
    return d -> {
      int n = size.next(d);
      List<T> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(next(d));
      }
      return out;
    };
  }

  /** Always {@code value}. */
  static <T> Gen<T> constant(T value) {
    return d -> value;
  }

  /** Integers from {@code min} to {@code max}, both included (edge tries: min or max). */
  static Gen<Integer> ints(int min, int max) {
    if (min > max) {
      throw new IllegalArgumentException("ints(" + min + ", " + max + "): min > max");
    }
    return d -> {
      if (d.edges()) {
        return d.nextBoolean() ? min : max;
      }
      return (int) d.nextLong(min, (long) max + 1);
    };
  }

  /** Longs from {@code min} to {@code max}, both included (edge tries: min or max). */
  static Gen<Long> longs(long min, long max) {
    if (min > max) {
      throw new IllegalArgumentException("longs(" + min + ", " + max + "): min > max");
    }
    return d -> {
      if (d.edges()) {
        return d.nextBoolean() ? min : max;
      }
      if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) {
        return d.nextLong();
      }
      return max == Long.MAX_VALUE ? d.nextLong(min - 1, max) + 1 : d.nextLong(min, max + 1);
    };
  }

  /** Any long (a seed for a test's own {@code java.util.Random}; edge tries: the extremes). */
  static Gen<Long> longs() {
    return longs(Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** true or false. */
  static Gen<Boolean> booleans() {
    return d -> d.nextBoolean();
  }

  /** One of the values, each as likely. */
  static <T> Gen<T> of(List<? extends T> values) {
    List<? extends T> copy = List.copyOf(values);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("Gen.of: no values");
    }
    return d -> copy.get(d.nextInt(copy.size()));
  }

  /** One of the values, each as likely. */
  @SafeVarargs
  static <T> Gen<T> of(T... values) {
    List<T> copy = new ArrayList<>(values.length);
    for (T v : values) {
      copy.add(v);
    }
    return of(copy);
  }

  /** A value of one of the generators, each generator as likely. */
  @SafeVarargs
  static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
    List<Gen<? extends T>> copy = new ArrayList<>(gens.length);
    for (Gen<? extends T> g : gens) {
      copy.add(Objects.requireNonNull(g));
    }
    return d -> copy.get(d.nextInt(copy.size())).next(d);
  }

  /** A generator and how often it is drawn relative to the others ({@link #frequency}). */
  record Weighted<T>(int weight, Gen<? extends T> gen) {
    public Weighted {
      if (weight <= 0) {
        throw new IllegalArgumentException("weight " + weight + ": must be positive");
      }
    }
  }

  /** A generator drawn {@code weight} times in (sum of weights). */
  static <T> Weighted<T> weighted(int weight, Gen<? extends T> gen) {
    return new Weighted<>(weight, gen);
  }

  /** A value of one of the generators, each drawn as often as its weight says. */
  @SafeVarargs
  static <T> Gen<T> frequency(Weighted<? extends T>... choices) {
    List<Weighted<? extends T>> copy = new ArrayList<>(choices.length);
    for (Weighted<? extends T> w : choices) {
      copy.add(Objects.requireNonNull(w));
    }
    int total = copy.stream().mapToInt(Weighted::weight).sum();
    return d -> {
      int at = d.nextInt(total);
      for (Weighted<? extends T> w : copy) {
        at -= w.weight();
        if (at < 0) {
          return w.gen().next(d);
        }
      }
      throw new AssertionError("unreachable");
    };
  }

  /**
   * Strings of {@code min} to {@code max} characters (code points), each drawn from {@code
   * alphabet} (edge tries: the shortest or the longest).
   */
  static Gen<String> strings(String alphabet, int min, int max) {
    int[] cps = alphabet.codePoints().toArray();
    if (cps.length == 0) {
      throw new IllegalArgumentException("strings: empty alphabet");
    }
    Gen<Integer> size = ints(min, max);
    return d -> {
      int n = size.next(d);
      StringBuilder out = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        out.appendCodePoint(cps[d.nextInt(cps.length)]);
      }
      return out.toString();
    };
  }

  /**
   * Strings of {@code min} to {@code max} characters, each any code point except surrogates (mostly
   * from the Basic Multilingual Plane, sometimes beyond it; edge tries: shortest or longest).
   */
  static Gen<String> anyStrings(int min, int max) {
    Gen<Integer> size = ints(min, max);
    return d -> {
      int n = size.next(d);
      StringBuilder out = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        int cp;
        do {
          cp = d.nextInt(8) == 0 ? d.nextInt(Character.MAX_CODE_POINT + 1) : d.nextInt(0x10000);
        } while (Character.getType(cp) == Character.SURROGATE);
        out.appendCodePoint(cp);
      }
      return out.toString();
    };
  }

  /** A list holding one value of each generator, in order. */
  static <T> Gen<List<T>> all(List<? extends Gen<? extends T>> gens) {
    List<Gen<? extends T>> copy = List.copyOf(gens);
    return d -> {
      List<T> out = new ArrayList<>(copy.size());
      for (Gen<? extends T> g : copy) {
        out.add(g.next(d));
      }
      return out;
    };
  }

  /** A value of each of two generators, combined. */
  static <A, B, R> Gen<R> combine(
      Gen<? extends A> a, Gen<? extends B> b, BiFunction<? super A, ? super B, ? extends R> f) {
    return d -> f.apply(a.next(d), b.next(d));
  }
}
