package io.portcullis.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Jackson's databind set up as the protocol writes its records (null fields left out, unknown
 * fields read past): for the HTTP API, {@code --json} output and tools. The control socket does not
 * use it ({@link ReplyWriter}), so that an idle server does not load databind; it is made at its
 * first use.
 */
public final class ProtocolMapper {
  /** How the HTTP API and tools write and read the protocol's records. */
  public static final ObjectMapper JSON =
      new ObjectMapper()
          .setDefaultPropertyInclusion(
              JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS))
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private ProtocolMapper() {}
}
