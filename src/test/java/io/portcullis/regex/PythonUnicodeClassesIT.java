package io.portcullis.regex;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our translation of Python's {@code \w \d \s \b} against Python 3's own {@code re}, run at test
 * time: every code point, and regexes over non-ASCII text. Code points whose Unicode category
 * differs between Python's and Java's Unicode versions (Python 3.11 has Unicode 14, Java 17 has 13)
 * are left out and counted.
 */
class PythonUnicodeClassesIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Prints, per class, the ranges of code points it matches, and the categories, as JSON. */
  private static final String CLASSES_PY =
      String.join(
          "\n",
          "import json, re, sys, unicodedata",
          "pats = {k: re.compile(v) for k, v in",
          "        {'w': r'\\w', 'd': r'\\d', 's': r'\\s'}.items()}",
          "out = {'unidata': unicodedata.unidata_version, 'cat': []}",
          "for k in pats: out[k] = []",
          "for cp in range(0x110000):",
          "    if 0xD800 <= cp <= 0xDFFF: continue",
          "    ch = chr(cp)",
          "    c = unicodedata.category(ch)",
          "    cat = out['cat']",
          "    if cat and cat[-1][2] == c and cat[-1][1] == cp - 1: cat[-1][1] = cp",
          "    else: cat.append([cp, cp, c])",
          "    for k, p in pats.items():",
          "        if p.match(ch):",
          "            r = out[k]",
          "            if r and r[-1][1] == cp - 1: r[-1][1] = cp",
          "            else: r.append([cp, cp])",
          "json.dump(out, sys.stdout)");

  /** Reads [pattern, text] pairs as JSON on stdin, prints what re.search finds in each. */
  private static final String SEARCH_PY =
      String.join(
          "\n",
          "import json, re, sys",
          "res = []",
          "for p, t in json.load(sys.stdin):",
          "    m = re.search(p, t)",
          "    res.append(None if m is None else m.group(0))",
          "json.dump(res, sys.stdout)");

  private static JsonNode python(Path dir, String script, String stdin)
      throws IOException, InterruptedException {
    Path file = dir.resolve("script.py");
    Files.writeString(file, script, StandardCharsets.UTF_8);
    Path in = dir.resolve("stdin.json");
    Files.writeString(in, stdin, StandardCharsets.UTF_8);
    Path outFile = dir.resolve("stdout.json");
    Process p =
        new ProcessBuilder("python3", file.toString())
            .redirectInput(in.toFile())
            .redirectOutput(outFile.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("python3 did not finish within 120 s");
    }
    assertThat(p.exitValue()).as("python3 exit status").isZero();
    return JSON.readTree(Files.readString(outFile, StandardCharsets.UTF_8));
  }

  private static boolean[] set(JsonNode ranges) {
    boolean[] in = new boolean[0x110000];
    for (JsonNode r : ranges) {
      for (int cp = r.get(0).asInt(); cp <= r.get(1).asInt(); cp++) {
        in[cp] = true;
      }
    }
    return in;
  }

  private static final String[] CATEGORY = new String[31];

  static {
    String[][] names = {
      {"Cn", "" + Character.UNASSIGNED},
      {"Lu", "" + Character.UPPERCASE_LETTER},
      {"Ll", "" + Character.LOWERCASE_LETTER},
      {"Lt", "" + Character.TITLECASE_LETTER},
      {"Lm", "" + Character.MODIFIER_LETTER},
      {"Lo", "" + Character.OTHER_LETTER},
      {"Mn", "" + Character.NON_SPACING_MARK},
      {"Me", "" + Character.ENCLOSING_MARK},
      {"Mc", "" + Character.COMBINING_SPACING_MARK},
      {"Nd", "" + Character.DECIMAL_DIGIT_NUMBER},
      {"Nl", "" + Character.LETTER_NUMBER},
      {"No", "" + Character.OTHER_NUMBER},
      {"Zs", "" + Character.SPACE_SEPARATOR},
      {"Zl", "" + Character.LINE_SEPARATOR},
      {"Zp", "" + Character.PARAGRAPH_SEPARATOR},
      {"Cc", "" + Character.CONTROL},
      {"Cf", "" + Character.FORMAT},
      {"Co", "" + Character.PRIVATE_USE},
      {"Cs", "" + Character.SURROGATE},
      {"Pd", "" + Character.DASH_PUNCTUATION},
      {"Ps", "" + Character.START_PUNCTUATION},
      {"Pe", "" + Character.END_PUNCTUATION},
      {"Pc", "" + Character.CONNECTOR_PUNCTUATION},
      {"Po", "" + Character.OTHER_PUNCTUATION},
      {"Sm", "" + Character.MATH_SYMBOL},
      {"Sc", "" + Character.CURRENCY_SYMBOL},
      {"Sk", "" + Character.MODIFIER_SYMBOL},
      {"So", "" + Character.OTHER_SYMBOL},
      {"Pi", "" + Character.INITIAL_QUOTE_PUNCTUATION},
      {"Pf", "" + Character.FINAL_QUOTE_PUNCTUATION}
    };
    for (String[] n : names) {
      CATEGORY[Integer.parseInt(n[1])] = n[0];
    }
  }

  @Test
  void everyCodePoint_isInWordDigitAndSpace_exactlyWhenPythonSaysSo(@TempDir Path dir)
      throws Exception {
    JsonNode py = python(dir, CLASSES_PY, "");
    String[] pyCategory = new String[0x110000];
    for (JsonNode r : py.get("cat")) {
      for (int cp = r.get(0).asInt(); cp <= r.get(1).asInt(); cp++) {
        pyCategory[cp] = r.get(2).asText();
      }
    }
    String[] classes = {"w", "d", "s"};
    String[][] forms = {
      // the class alone, inside a set, its negation alone and inside a negated set
      {"\\w", "[\\w]", "\\W", "[^\\w]", "[^\\W]"},
      {"\\d", "[\\d]", "\\D", "[^\\d]", "[^\\D]"},
      {"\\s", "[\\s]", "\\S", "[^\\s]", "[^\\S]"}
    };
    int compared = 0;
    int skipped = 0;
    List<String> wrong = new ArrayList<>();
    for (int k = 0; k < classes.length; k++) {
      boolean[] in = set(py.get(classes[k]));
      Matcher[] m = new Matcher[forms[k].length];
      for (int f = 0; f < m.length; f++) {
        m[f] = PythonRegex.compile(forms[k][f], false).pattern().matcher("");
      }
      for (int cp = 0; cp < 0x110000; cp++) {
        if (pyCategory[cp] == null) {
          continue; // a surrogate: not a character of a Python str from a log
        }
        if (!pyCategory[cp].equals(CATEGORY[Character.getType(cp)])) {
          skipped++;
          continue;
        }
        String ch = new String(Character.toChars(cp));
        boolean[] want = {in[cp], in[cp], !in[cp], !in[cp], in[cp]};
        for (int f = 0; f < m.length; f++) {
          if (m[f].reset(ch).matches() != want[f] && wrong.size() < 20) {
            wrong.add(
                String.format(
                    "U+%04X %s %s: expected %s", cp, pyCategory[cp], forms[k][f], want[f]));
          }
        }
        compared++;
      }
    }
    System.out.printf(
        "Python's %s (Unicode %s): \\w \\d \\s agree on %d code points, %d left out (category differs"
            + " between Unicode versions)%n",
        "re", py.get("unidata").asText(), compared, skipped);
    assertThat(wrong).as("code points classified unlike Python's re").isEmpty();
    assertThat(compared).isGreaterThan(3 * 280_000);
    assertThat(skipped).as("only characters new in Python's Unicode").isLessThan(3 * 5_000);
  }

  @Test
  void regexesOverNonAsciiText_findWhatPythonFinds(@TempDir Path dir) throws Exception {
    String[][] cases = {
      {"\\bété\\b", "un été chaud"},
      {"\\bété\\b", "unété chaud"},
      {"^\\w+$", "Ünïcödé_123"},
      {"^\\w+$", "e\u0301"}, // a combining accent is no word character in Python
      {"\\d+", "port \u0663\u0664\u0665 open"},
      {"\\s+", "a\u00a0\u2003\u001cb"},
      {"\\S+", "x\u3000y"},
      {"(?i)ÉCHEC", "échec de connexion"},
      {"(?i)k+", "\u212a"},
      {"(?i)[a-z]+", "\u017f\u212a"},
      {"(?a)\\w+", "héllo"},
      {"(?a:\\w+)llo", "héllo"},
      {"[^\\W\\d]+", "abc\u0661\u0662déf"},
      {"\\w\\b", "x\uD835\uDC00 y"},
      {"\\B\\w", "\uD835\uDC00\uD835\uDC01 x"},
      {"user (?P<user>\\w+) from", "user Jürgen from 192.0.2.1"},
      {"[\\s\\d]+", "a 1\u3000\u0662b"},
      {"\\S+@\\S+", "mailto:jürgen@exämple.org ok"},
      {"\\w+\\W+\\w+", "naïve—café"},
      {"^\\d{1,3}(?:\\.\\d{1,3}){3}$", "\u0661\u0669\u0662.\u0660.\u0662.\u0661"},
      {"(?i)\\bİSTANBUL\\b", "istanbul"},
      {"\\b\\w+\\b", "\u00bd and \u2460"},
      {"[\\w.-]+", "ab-c.é_d!"},
      {"[^\\w-]+", "ab-c .é"},
      {"(?P<dns>[\\w\\-.^_]*\\w)", "from hôte-1.exämple.org."},
      {"(?i)[\\w\\s]+x", "ÀB c X"},
    };
    StringBuilder in = new StringBuilder("[");
    for (int i = 0; i < cases.length; i++) {
      in.append(i == 0 ? "" : ",")
          .append(JSON.writeValueAsString(List.of(cases[i][0], cases[i][1])));
    }
    JsonNode want = python(dir, SEARCH_PY, in.append(']').toString());
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < cases.length; i++) {
      Matcher m = PythonRegex.compile(cases[i][0], false).pattern().matcher(cases[i][1]);
      String got = m.find() ? m.group() : null;
      String expected = want.get(i).isNull() ? null : want.get(i).asText();
      if (expected == null ? got != null : !expected.equals(got)) {
        wrong.add(cases[i][0] + " on '" + cases[i][1] + "': " + got + " != python's " + expected);
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(want.size()).isEqualTo(cases.length);
  }
}
