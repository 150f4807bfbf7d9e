package io.portcullis.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.Set;
import jdk.net.UnixDomainPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decisions on the principals of this machine's root, nobody, daemon and the groups adm, nogroup.
 */
class PeerPolicyTest {
  private static final UserPrincipalLookupService USERS =
      FileSystems.getDefault().getUserPrincipalLookupService();

  @TempDir Path dir;

  private static UnixDomainPrincipal peer(String user, String group) throws IOException {
    return new UnixDomainPrincipal(
        USERS.lookupPrincipalByName(user), USERS.lookupPrincipalByGroupName(group));
  }

  private static PeerPolicy policy(String group, Set<String> members) throws IOException {
    return new PeerPolicy(USERS.lookupPrincipalByName("daemon"), group, g -> members);
  }

  @Test
  void root_andTheServersOwnUser_mayRunEverything() throws IOException {
    PeerPolicy p = policy(null, Set.of());
    PeerPolicy.Decision root = p.of(peer("root", "root"));
    assertThat(root.access()).isEqualTo(PeerPolicy.Access.ALL);
    assertThat(p.refusal(root, "ban")).isNull();
    assertThat(p.of(peer("daemon", "nogroup")).access()).isEqualTo(PeerPolicy.Access.ALL);
  }

  @Test
  void withoutASocketGroup_anybodyElseIsRefused_andToldHowToAllowAGroup() throws IOException {
    PeerPolicy p = policy(null, Set.of());
    PeerPolicy.Decision d = p.of(peer("nobody", "adm"));
    assertThat(d.access()).isEqualTo(PeerPolicy.Access.NONE);
    assertThat(p.refusal(d, "status"))
        .isEqualTo(
            "permission denied: user nobody (group adm) may not use this socket (root may; set"
                + " socketgroup in portcullis.conf to let a group run read-only commands)");
  }

  @Test
  void primaryGroupMember_mayRead_butNotChange() throws IOException {
    PeerPolicy p = policy("adm", Set.of());
    PeerPolicy.Decision d = p.of(peer("nobody", "adm"));
    assertThat(d.access()).isEqualTo(PeerPolicy.Access.READ_ONLY);
    for (String readOnly : PeerPolicy.READ_ONLY) {
      assertThat(p.refusal(d, readOnly)).isNull();
    }
    assertThat(p.refusal(d, "unban"))
        .isEqualTo(
            "permission denied: 'unban' needs root; user nobody (group adm) is in the socket"
                + " group 'adm', which may run only banned, get, ping, status");
  }

  @Test
  void memberListedInTheGroupFile_mayRead_othersMayNot() throws IOException {
    assertThat(policy("adm", Set.of("nobody")).of(peer("nobody", "nogroup")).access())
        .isEqualTo(PeerPolicy.Access.READ_ONLY);
    assertThat(policy("adm", Set.of("syslog")).of(peer("nobody", "nogroup")).access())
        .isEqualTo(PeerPolicy.Access.NONE);
  }

  @Test
  void groupFile_membersAreRead_byGroupName() throws IOException {
    Path f =
        Files.writeString(
            dir.resolve("group"), "root:x:0:\nadm:x:4:syslog, alice\nadmins:x:5:mallory\n");
    assertThat(PeerPolicy.membersIn(f, "adm")).containsExactlyInAnyOrder("syslog", "alice");
    assertThat(PeerPolicy.membersIn(f, "root")).isEmpty();
    assertThat(PeerPolicy.membersIn(f, "nosuch")).isEmpty();
  }
}
