package io.portcullis.server;

import io.portcullis.pbx.Registrar;
import io.portcullis.pbx.RegistrarSpec;
import io.portcullis.worker.Worker;
import java.io.IOException;
import java.time.Duration;

/**
 * Reads a jail's registered phones from its SIP server every {@code every} (thread {@code
 * registrations-JAIL}) and hands them to the jail's thread. A server that does not answer is
 * reported once (log and status) until it answers again; the phones it listed stay trusted until
 * their registrations expire.
 */
final class RegistrationReader {
  private final JailRunner runner;
  private final RegistrarSpec spec;
  private final Registrar registrar;
  private final ServerLog log;
  private final Worker<Boolean> worker;
  private volatile String problem;

  RegistrationReader(JailRunner runner, RegistrarSpec spec, Shared shared) {
    this.runner = runner;
    this.spec = spec;
    this.registrar = spec.open(shared.clock());
    this.log = shared.log();
    this.worker =
        Worker.<Boolean>named("registrations-" + runner.name())
            .capacity(1)
            .each(now -> read())
            .every(spec::every, this::read)
            .errors(m -> log.error("[" + runner.name() + "] registrations: " + m))
            .build();
  }

  void start() {
    worker.start();
    // the first reading at once, not after the first interval
    worker.submit(Boolean.TRUE);
  }

  private void read() {
    try {
      Registrar.Reading r = registrar.read();
      if (problem != null) {
        log.notice("[" + runner.name() + "] " + registrar.name() + " answers again");
        problem = null;
      }
      runner.registered(registrar.name(), r);
    } catch (IOException | RuntimeException e) {
      String p = registrar.name() + ": " + e.getMessage();
      if (!p.equals(problem)) {
        log.warning(
            "["
                + runner.name()
                + "] cannot read registrations from "
                + p
                + " (asking again every "
                + io.portcullis.config.Durations.format(spec.every())
                + ")");
      }
      problem = p;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What keeps the registrations from being read now, or null. */
  String problem() {
    return problem;
  }

  void stop(Duration limit) throws InterruptedException {
    worker.stop(limit);
  }
}
