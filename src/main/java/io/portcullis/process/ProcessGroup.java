package io.portcullis.process;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Kills a process group (Linux): every process whose group id, read from {@code /proc/PID/stat}, is
 * the given one. Java can signal a process but not a group, and a process that left its parent (a
 * script's background child) is no longer among its descendants.
 */
final class ProcessGroup {
  private static final Path PROC = Path.of("/proc");

  private ProcessGroup() {}

  /** Kills (SIGKILL) the leader {@code pgid} and every other member of its group. */
  static void kill(long pgid) {
    ProcessHandle.of(pgid).ifPresent(ProcessHandle::destroyForcibly);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path e : entries) {
        long pid;
        try {
          pid = Long.parseLong(e.getFileName().toString());
        } catch (NumberFormatException notAProcess) {
          continue;
        }
        if (pid != pgid && groupOf(e) == pgid) {
          ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    } catch (IOException e) {
      // no /proc: the leader at least is gone
    }
  }

  /** The process group of {@code /proc/PID}, or -1 when it cannot be read (it just ended). */
  static long groupOf(Path procEntry) {
    try {
      String stat = Files.readString(procEntry.resolve("stat"));
      // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses
      int close = stat.lastIndexOf(')');
      String[] fields = stat.substring(close + 2).split(" ");
      return Long.parseLong(fields[2]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
