package io.portcullis.control;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import jdk.net.UnixDomainPrincipal;

/**
 * Who may use the control socket, decided from the peer's credentials (SO_PEERCRED, taken by the
 * kernel when the peer connected): root and the server's own user may run every command; members of
 * the configured group ({@code socketgroup}) only those in {@link #READ_ONLY}; anybody else
 * nothing.
 *
 * <p>A member is a peer whose primary group is the group, or whose user the group database lists as
 * a member. SO_PEERCRED carries only the primary group, so a supplementary membership is read from
 * {@code /etc/group} (groups known only to NSS, e.g. LDAP, count as primary groups only).
 */
public final class PeerPolicy {
  /** Commands that only read: what a member of the socket group may run. */
  public static final Set<String> READ_ONLY = Set.of("ping", "status", "banned", "get");

  /** What a peer may do. */
  public enum Access {
    ALL,
    READ_ONLY,
    NONE
  }

  /** A peer's access, and who it is in words for messages and the log. */
  public record Decision(Access access, String who) {}

  /** The user names a group lists as members (supplementary groups). */
  @FunctionalInterface
  public interface GroupMembers {
    Set<String> of(String group) throws IOException;

    /** The system's group file. */
    GroupMembers ETC_GROUP = group -> membersIn(Path.of("/etc/group"), group);
  }

  private final List<UserPrincipal> admins;
  private final GroupPrincipal group;
  private final String groupName;
  private final GroupMembers members;

  /**
   * @param owner the server's own user (it may do anything, as root may)
   * @param groupName the socket group, or null for none
   * @throws IOException when the group does not exist
   */
  public PeerPolicy(UserPrincipal owner, String groupName, GroupMembers members)
      throws IOException {
    UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
    this.admins = List.of(lookup.lookupPrincipalByName("root"), owner);
    this.groupName = groupName;
    this.group = groupName == null ? null : lookup.lookupPrincipalByGroupName(groupName);
    this.members = members;
  }

  /** The configured socket group, or null. */
  public GroupPrincipal group() {
    return group;
  }

  public Decision of(UnixDomainPrincipal peer) {
    String who = "user " + peer.user().getName() + " (group " + peer.group().getName() + ")";
    if (admins.contains(peer.user())) {
      return new Decision(Access.ALL, who);
    }
    if (group != null && (group.equals(peer.group()) || listed(peer.user().getName()))) {
      return new Decision(Access.READ_ONLY, who);
    }
    return new Decision(Access.NONE, who);
  }

  private boolean listed(String user) {
    try {
      return members.of(groupName).contains(user);
    } catch (IOException e) {
      return false; // no group file: primary groups only
    }
  }

  /** Why a peer may not run a command, as the error it gets; null when it may. */
  public String refusal(Decision d, String command) {
    return switch (d.access()) {
      case ALL -> null;
      case READ_ONLY ->
          READ_ONLY.contains(command)
              ? null
              : "permission denied: '"
                  + command
                  + "' needs root; "
                  + d.who()
                  + " is in the socket group '"
                  + groupName
                  + "', which may run only "
                  + String.join(", ", READ_ONLY.stream().sorted().toList());
      case NONE ->
          "permission denied: "
              + d.who()
              + " may not use this socket (root may; "
              + (groupName == null
                  ? "set socketgroup in portcullis.conf to let a group run read-only commands)"
                  : "members of group '" + groupName + "' may run read-only commands)");
    };
  }

  /** The members a group file lists for a group: {@code name:x:gid:user1,user2}. */
  static Set<String> membersIn(Path file, String group) throws IOException {
    for (String line : Files.readAllLines(file)) {
      String[] f = line.split(":", -1);
      if (f.length >= 4 && f[0].equals(group)) {
        return Set.copyOf(
            Arrays.stream(f[3].split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
      }
    }
    return Set.of();
  }
}
