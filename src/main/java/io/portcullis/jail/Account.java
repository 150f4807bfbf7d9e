package io.portcullis.jail;

import java.util.Map;
import java.util.Set;

/**
 * An account a client tried to log in to: the user name a filter captured ({@code <F-USER>}) and
 * the service it belongs to ({@link ServiceKey}), so that AMI user "100" and PJSIP endpoint "100"
 * are two accounts. The name is written by the client: it is only ever compared and shown as text.
 *
 * @param service the service key, or null when the filter names none
 */
public record Account(String user, String service) {
  /** Longer names are cut here (and told apart by a hash of the whole): a client chooses them. */
  static final int MAX_LENGTH = 64;

  /** Names that stand for "no account": Asterisk's placeholder for an unknown endpoint, empty. */
  private static final Set<String> NONE = Set.of("", "<unknown>", "(null)", "-");

  public Account {
    if (user == null || user.isEmpty()) {
      throw new IllegalArgumentException("an account has a user name");
    }
  }

  /** The account a failure or login names, or null when it names none. */
  static Account of(Map<String, String> groups) {
    String user = groups.get("user");
    if (user == null) {
      return null;
    }
    user = user.strip();
    if (NONE.contains(user)) {
      return null;
    }
    if (user.length() > MAX_LENGTH) {
      user =
          user.substring(0, MAX_LENGTH)
              + "...#"
              + Long.toHexString(UserHash.of(user) & 0xffffffffL);
    }
    return new Account(user, ServiceKey.of(groups.get("service")));
  }

  @Override
  public String toString() {
    return service == null ? user : user + " (" + service + ")";
  }
}
