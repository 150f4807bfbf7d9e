package io.portcullis.pbx;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Plays a recorded AMI session (src/test/resources/pbx/asterisk-*-ami.txt, built from Asterisk's
 * source by make-ami-recordings.py) on loopback: the banner, then for each action the client sends,
 * the answer recorded for it. It notes what the client sent, and fails the session (closes it) when
 * the client sends another action than the recording expects.
 */
final class RecordedAmi implements AutoCloseable {
  private record Step(String action, String answer) {}

  private final ServerSocket server;
  private final String banner;
  private final List<Step> steps;
  private final Thread thread;
  final List<List<String>> received = new CopyOnWriteArrayList<>();
  volatile String failure;

  RecordedAmi(Path recording) throws IOException {
    String text = Files.readString(recording, StandardCharsets.UTF_8);
    String[] parts = text.split("(?m)^>>> ");
    if (!parts[0].startsWith("<<<\r\n")) {
      throw new IOException("a recording starts with <<< and the banner");
    }
    banner = parts[0].substring(5);
    steps = new ArrayList<>();
    for (int i = 1; i < parts.length; i++) {
      int eol = parts[i].indexOf("\r\n");
      steps.add(new Step(parts[i].substring(0, eol), parts[i].substring(eol + 2)));
    }
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    thread = new Thread(this::serve, "recorded-ami");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void serve() {
    try (Socket s = server.accept()) {
      OutputStream out = s.getOutputStream();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      out.write(banner.getBytes(StandardCharsets.UTF_8));
      out.flush();
      for (Step step : steps) {
        List<String> action = new ArrayList<>();
        for (String l; (l = in.readLine()) != null && !l.isEmpty(); ) {
          action.add(l);
        }
        received.add(action);
        if (!action.contains("Action: " + step.action())) {
          failure = "expected " + step.action() + ", got " + action;
          return;
        }
        out.write(step.answer().getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException e) {
      if (!server.isClosed()) {
        failure = e.toString();
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
