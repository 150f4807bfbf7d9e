package io.portcullis.pbx;

import io.portcullis.jail.Registration;
import java.io.IOException;
import java.util.List;

/**
 * A SIP server asked for the phones registered on it now. Every call has a deadline; a server that
 * does not answer in time is an {@link IOException}, never a thread stuck for ever.
 */
public interface Registrar {
  /** How the jail's log and status name this source ("kamailio fifo /run/...", "asterisk ..."). */
  String name();

  /** The registrations now. */
  Reading read() throws IOException, InterruptedException;

  /**
   * What a reading found: registrations at an address the server itself saw (trusted), and how many
   * it listed without one (a contact address is written by the phone: never trusted), with why.
   */
  record Reading(List<Registration> registrations, int unverified, String why) {
    public Reading {
      registrations = List.copyOf(registrations);
    }
  }
}
