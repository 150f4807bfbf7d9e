package io.portcullis.ban;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.testing.Gen;
import io.portcullis.testing.Properties;
import java.util.List;
import org.junit.jupiter.api.Test;

class StringArraysTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void read_whatJacksonWrites_givesTheSameStrings() {
    Properties.check(
        "StringArraysTest.read_whatJacksonWrites_givesTheSameStrings",
        500,
        Gen.anyStrings(0, 40).list(0, 6),
        strings -> {
          String json = JSON.writeValueAsString(strings);
          assertThat(StringArrays.read(json)).as(json).isEqualTo(strings);
        });
  }

  @Test
  void read_escapesAndSpaces_asJacksonReadsThem() throws Exception {
    for (String json :
        List.of(
            "[]",
            " [ ] ",
            "[\"a\\u00e9\\n\\t\\\"\\\\\\/b\"]",
            "[ \"x\" , \"\" ]",
            "[\"\\ud83d\\ude00\"]")) {
      assertThat(StringArrays.read(json))
          .as(json)
          .isEqualTo(List.of(JSON.readValue(json, String[].class)));
    }
  }

  @Test
  void write_anyStrings_asDatabindWroteThem() {
    // the store's matches and evidence lines were written with databind; the text must not change
    Properties.check(
        "StringArraysTest.write_anyStrings_asDatabindWroteThem",
        500,
        Gen.anyStrings(0, 40).list(0, 6),
        strings ->
            assertThat(StringArrays.write(strings)).isEqualTo(JSON.writeValueAsString(strings)));
  }

  @Test
  void parse_whatTheQuickReaderRefuses_asDatabindReadsIt() throws Exception {
    for (String json : List.of("[1, true, \"a\"]", "[\"a\", 2.5]", "[\"\\u00e9\"]")) {
      assertThat(StringArrays.parse(json))
          .as(json)
          .isEqualTo(List.of(JSON.readValue(json, String[].class)));
    }
    for (String json : List.of("", "{}", "[[\"a\"]]", "[\"a\"", "[null]")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> StringArrays.parse(json))
          .as(json)
          .isInstanceOf(java.io.IOException.class);
    }
  }

  @Test
  void read_notAnArrayOfStrings_isNull() {
    for (String json :
        List.of("", "{}", "[1]", "[\"a\"", "[\"a\",]", "[\"a\"] x", "[\"\\x\"]", "[\"\\u12\"]")) {
      assertThat(StringArrays.read(json)).as(json).isNull();
    }
  }
}
