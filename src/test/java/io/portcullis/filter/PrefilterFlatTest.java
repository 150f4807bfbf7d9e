package io.portcullis.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.regex.Need;
import io.portcullis.testing.Gen;
import io.portcullis.testing.Properties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The flat program a prefilter formula is compiled to answers exactly as the check tree does, for
 * random formulas (nested ALL / ONE OF over up to 100 words, so masks span two 64-word slots) and
 * random sets of present words.
 */
class PrefilterFlatTest {
  private static Need formula(SplittableRandom r, int depth) {
    if (depth == 0 || r.nextInt(4) == 0) {
      return new Need.Word("w" + r.nextInt(100));
    }
    int n = 1 + r.nextInt(5);
    List<Need> parts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      parts.add(formula(r, depth - 1));
    }
    return r.nextBoolean() ? new Need.All(parts) : new Need.OneOf(parts);
  }

  @Test
  void flat_answersAsTheTree_forRandomFormulasAndWordSets() {
    Properties.check(
        "PrefilterFlatTest.flat_answersAsTheTree",
        500,
        Gen.longs(),
        seed -> {
          SplittableRandom r = new SplittableRandom(seed);
          Need n = formula(r, 1 + r.nextInt(4));
          Map<String, Integer> ids = new LinkedHashMap<>();
          Prefilter.Check tree = Prefilter.Check.tree(n, ids);
          Prefilter.Flat flat = Prefilter.Flat.of(n, ids);
          assertThat(flat).as("fits in 63 bits: %s", n).isNotNull();
          long[] present = new long[2];
          for (int t = 0; t < 200; t++) {
            present[0] = r.nextLong() & r.nextLong();
            present[1] = t % 2 == 0 ? r.nextLong() | r.nextLong() : r.nextLong() & r.nextLong();
            assertThat(flat.eval(present)).as("%s on %s", n, present).isEqualTo(tree.eval(present));
          }
        });
  }
}
