package io.portcullis.web;

/** What a route answers: a JSON body, some bytes, or a stream the route writes itself. */
sealed interface Answer {
  /** A record (or list) written with the control protocol's mapper. */
  record Json(int status, Object body) implements Answer {}

  /** Bytes of a given type (metrics, the dashboard's files, the OpenAPI document). */
  record Bytes(int status, String contentType, byte[] body) implements Answer {}

  /** The route wrote the response itself (the live feed). */
  record Streamed() implements Answer {}

  static Answer ok(Object body) {
    return new Json(200, body);
  }
}
