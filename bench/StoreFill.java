import io.portcullis.ban.BanStore;
import io.portcullis.jail.BanDecision;
import io.portcullis.net.IpAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Puts N active bans (1 day each) into a Portcullis database: java -cp target/portcullis.jar bench/StoreFill.java DB N JAIL */
public class StoreFill {
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[1]);
    try (BanStore s = BanStore.open(Path.of(a[0]))) {
      Instant now = Instant.now();
      s.inTransaction(() -> {
        for (int i = 0; i < n; i++) {
          String ip = String.format("2001:db8:%x:%x::1", 0x100 + i / 65536, i % 65536);
          s.addBan(new BanDecision(a[2], IpAddress.parse(ip).toString(), IpAddress.parse(ip), now, Duration.ofDays(1), 1, 5, List.of()));
        }
      });
    }
  }
}
