package io.portcullis.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * A handler for a POSIX signal (SIGHUP: reload, as admins expect of a daemon). Java has no public
 * API for signals; {@code sun.misc.Signal} (module jdk.unsupported, kept open by JEP 260 for this
 * use, present in every JDK since 1.2) is the one way short of native code. It is reached by
 * reflection so that the build stays free of the "internal proprietary API" warning, which javac
 * cannot be told to suppress. SIGTERM and SIGINT keep the JVM's own handling (shutdown hooks).
 */
final class Signals {
  private Signals() {}

  /**
   * Runs {@code action} on the JVM's signal thread each time the signal arrives; returns false when
   * this JVM cannot install a handler (then the signal keeps its default effect).
   */
  static boolean handle(String name, Runnable action) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      InvocationHandler calls =
          (proxy, method, args) -> {
            if (method.getName().equals("handle") && method.getParameterCount() == 1) {
              action.run();
              return null;
            }
            return objectMethod(proxy, method, args);
          };
      Object h = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler}, calls);
      Object s = signal.getConstructor(String.class).newInstance(name);
      signal.getMethod("handle", signal, handler).invoke(null, s, h);
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false;
    }
  }

  private static Object objectMethod(Object proxy, Method method, Object[] args) {
    return switch (method.getName()) {
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      default -> "signal handler";
    };
  }
}
