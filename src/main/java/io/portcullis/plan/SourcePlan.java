package io.portcullis.plan;

import io.portcullis.source.JournalSpec;
import java.time.Duration;
import java.util.List;

/** Where a jail's lines come from, and why that source was chosen (for check and the start log). */
public sealed interface SourcePlan {
  /** What is followed and why, in a few words. */
  String describe();

  /**
   * Log files named by globs.
   *
   * @param inotify woken by inotify (else only polled)
   * @param poll how often the files are looked at without a wake-up
   */
  record Files(List<String> globs, boolean inotify, Duration poll, String why)
      implements SourcePlan {
    public Files {
      globs = List.copyOf(globs);
    }

    @Override
    public String describe() {
      return String.join(" ", globs) + " (" + why + ")";
    }
  }

  /** The systemd journal. */
  record Journal(JournalSpec spec, String why) implements SourcePlan {
    @Override
    public String describe() {
      return spec.describe() + " (" + why + ")";
    }
  }
}
