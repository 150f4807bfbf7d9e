package io.portcullis.date;

import java.time.Instant;

/**
 * A timestamp found in a line: the span of its text (removed from the line before failure regexes
 * run, as fail2ban does) and the instant it denotes, or null when the template matched no text.
 */
public record DateHit(int start, int end, Instant time, DateTemplate template) {}
