package io.portcullis.server;

import io.portcullis.action.FirewallAction;
import io.portcullis.config.Durations;
import io.portcullis.control.JailControl;
import io.portcullis.control.Replies;
import io.portcullis.jail.AccountAttack;
import io.portcullis.jail.BanDecision;
import io.portcullis.jail.JailSettings;
import io.portcullis.jail.Trusted;
import io.portcullis.net.IpAddress;
import io.portcullis.plan.SourcePlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A running jail as the control commands see it. Everything that touches the jail's state runs on
 * the jail's own thread ({@link JailRunner#await}) and comes back as a snapshot; the settings are
 * read from what the jail's thread last published.
 */
final class JailCommands implements JailControl {
  /** How long {@code ban} and {@code unban} wait for the store and the kernel before answering. */
  static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);

  /** A call of an action that has run this long is shown as stuck in {@code status}. */
  static final Duration STUCK_AFTER = Duration.ofSeconds(10);

  private final JailRunner r;
  private final Supplier<List<IpAddress>> hostAddresses;

  /**
   * @param hostAddresses this host's addresses as the firewall sees them (for the guard of {@code
   *     ban})
   */
  JailCommands(JailRunner runner, Supplier<List<IpAddress>> hostAddresses) {
    this.r = runner;
    this.hostAddresses = hostAddresses;
  }

  @Override
  public String name() {
    return r.name();
  }

  @Override
  public Replies.JailStatus status() throws Exception {
    Instant now = r.shared().clock().instant();
    record Snapshot(
        int failing,
        long dropped,
        long guardDropped,
        List<Replies.Allowed> allowed,
        List<IpAddress> ignore,
        List<Replies.Trusted> trusted,
        List<Replies.AccountUnderAttack> accounts) {}
    Snapshot s =
        r.await(
            () ->
                new Snapshot(
                    r.jail().failing(now),
                    r.jail().dropped(),
                    r.jail().guardDropped(),
                    allowedAt(now),
                    r.jail().ignoreList(),
                    trustedAt(now),
                    attackedAt(now)));
    List<BanDecision> list = r.shared().bans().list(name());
    List<Replies.ActionState> states = new ArrayList<>();
    Boolean conntrack = null;
    for (ActionSlot a : r.actionSlots()) {
      String stuck = a.stuck(STUCK_AFTER);
      String error = stuck != null ? stuck : a.lastError();
      states.add(new Replies.ActionState(a.name(), error == null, a.inPlace(), error));
      if (a.action() instanceof FirewallAction f) {
        conntrack = f.backend().conntrack();
      }
    }
    List<String> problems = new ArrayList<>();
    r.plan().actionProblems().forEach(p -> problems.add(p.getMessage()));
    problems.addAll(r.sourceProblems());
    problems.addAll(r.registrationProblems());
    if (r.countryProblem() != null) {
      problems.add(r.countryProblem());
    }
    if (r.restoreProblem() != null) {
      problems.add(r.restoreProblem());
    }
    return new Replies.JailStatus(
        name(),
        r.plan().filter().name(),
        r.plan().source().describe(),
        r.files(),
        r.linesRead(),
        new Replies.Failures(s.failing(), r.failuresTotal(), s.dropped(), s.guardDropped()),
        new Replies.Bans(list.size(), r.bansTotal(), list.stream().map(BanDecision::fid).toList()),
        s.allowed(),
        s.ignore().stream().map(IpAddress::toString).toList(),
        states,
        conntrack,
        problems,
        r.logReading(),
        r.regexBudgetHits(),
        s.trusted(),
        s.accounts(),
        r.rateLimitedNow());
  }

  @Override
  public Replies.JailCounters counters() {
    int[] families = r.shared().bans().perFamily(name());
    java.util.Map<String, Long> errors = new java.util.LinkedHashMap<>();
    for (ActionSlot a : r.actionSlots()) {
      errors.merge(a.name(), a.errors(), Long::sum);
    }
    return new Replies.JailCounters(
        r.linesRead(),
        r.failuresTotal(),
        r.bansTotal(),
        r.unbansTotal(),
        r.budgetHits(),
        families[0],
        families[1],
        r.allowedNow(),
        errors,
        r.rateLimitedNow());
  }

  /** Why {@code ip} is trusted in this jail now (empty: it is not), for {@code why}. */
  public List<Replies.Trusted> trustOf(IpAddress ip) throws Exception {
    Instant now = r.shared().clock().instant();
    String text = ip.toString();
    List<Replies.Trusted> all = r.await(() -> trustedAt(now));
    List<Replies.Trusted> out = new ArrayList<>();
    for (Replies.Trusted t : all) {
      if (t.ip().equals(text)) {
        out.add(t);
      }
    }
    return out;
  }

  /** On the jail's thread. */
  private List<Replies.Trusted> trustedAt(Instant now) {
    List<Replies.Trusted> out = new ArrayList<>();
    for (Trusted t : r.jail().trusted(now)) {
      out.add(
          new Replies.Trusted(
              t.ip().toString(),
              t.reason().word(),
              t.until().getEpochSecond(),
              t.service(),
              t.account(),
              t.detail(),
              t.failures()));
    }
    return out;
  }

  /** On the jail's thread. */
  private List<Replies.AccountUnderAttack> attackedAt(Instant now) {
    List<Replies.AccountUnderAttack> out = new ArrayList<>();
    for (AccountAttack a : r.jail().accountsUnderAttack(now)) {
      out.add(
          new Replies.AccountUnderAttack(
              a.account().user(),
              a.account().service(),
              a.since().getEpochSecond(),
              a.until().getEpochSecond(),
              a.failures(),
              a.addresses()));
    }
    return out;
  }

  /** On the jail's thread. */
  private List<Replies.Allowed> allowedAt(Instant now) {
    List<Replies.Allowed> out = new ArrayList<>();
    r.jail()
        .allowed(now)
        .forEach(
            (ip, until) -> out.add(new Replies.Allowed(ip.toString(), until.getEpochSecond())));
    return out;
  }

  /**
   * The jail's thread bans; this (control) thread then waits, at most {@link #ANSWER_WITHIN}, for
   * the store's commit (one transaction for all of them) and for each action, and says what is
   * missing.
   */
  @Override
  public Replies.BanResult ban(List<IpAddress> ips, boolean force) throws Exception {
    List<IpAddress> host = force ? List.of() : hostAddresses.get();
    try (StartHeap heap = StartHeap.forBans(ips.size(), r.shared().log()::warning)) {
      List<Effects.Effect> effects = r.await(() -> r.banNow(ips, force, host));
      return Effects.await(name(), effects, r.actionSlots(), ANSWER_WITHIN);
    }
  }

  @Override
  public Replies.BanResult unban(List<IpAddress> ips) throws Exception {
    List<String> fids = ips.stream().map(IpAddress::toString).toList();
    List<Effects.Effect> effects = r.await(() -> r.unbanNow(fids));
    return Effects.await(name(), effects, r.actionSlots(), ANSWER_WITHIN);
  }

  @Override
  public Replies.BanResult unbanAll() throws Exception {
    List<Effects.Effect> effects = r.await(r::unbanAll);
    return Effects.await(name(), effects, r.actionSlots(), ANSWER_WITHIN);
  }

  @Override
  public Values values() {
    JailSettings s = r.settings();
    return new Values(s.bantime(), s.findtime(), s.maxretry());
  }

  @Override
  public Values change(Change change) throws Exception {
    r.await(
        () -> {
          JailSettings s = r.jail().settings();
          if (change instanceof Change.Bantime b) {
            r.update(s.withBantime(b.value()));
          } else if (change instanceof Change.Findtime f) {
            r.update(s.withFindtime(f.value()));
          } else {
            r.update(s.withMaxretry(((Change.Maxretry) change).value()));
          }
          return null;
        });
    return values();
  }

  @Override
  public void addIgnore(IpAddress ip) throws Exception {
    List<IpAddress> now =
        r.await(
            () -> {
              r.jail().addIgnore(ip);
              return r.jail().ignoreList();
            });
    r.ignoreChanged(now);
  }

  @Override
  public boolean removeIgnore(IpAddress ip) throws Exception {
    List<IpAddress> now = r.await(() -> r.jail().removeIgnore(ip) ? r.jail().ignoreList() : null);
    if (now == null) {
      return false;
    }
    r.ignoreChanged(now);
    return true;
  }

  @Override
  public List<IpAddress> ignoreList() throws Exception {
    return r.await(() -> r.jail().ignoreList());
  }

  @Override
  public void allow(IpAddress ip, Duration forHowLong) throws Exception {
    Duration d = forHowLong != null ? forHowLong : r.settings().allowtime();
    Instant until = r.shared().clock().instant().plus(d);
    r.await(
        () -> {
          r.allowUntil(ip, until);
          return null;
        });
    r.shared()
        .log()
        .notice("[" + name() + "] Allow " + ip + " for " + Durations.format(d) + " (by command)");
  }

  @Override
  public boolean disallow(IpAddress ip) throws Exception {
    boolean was = r.await(() -> r.disallow(ip));
    if (was) {
      String jailName = name();
      r.shared().store().write(s -> s.disallow(jailName, ip));
    }
    return was;
  }

  @Override
  public List<Replies.Allowed> allowed() throws Exception {
    Instant now = r.shared().clock().instant();
    return r.await(() -> allowedAt(now));
  }

  @Override
  public List<String> logpaths() {
    return r.plan().source() instanceof SourcePlan.Files f ? f.globs() : List.of();
  }

  @Override
  public List<String> actions() {
    return r.actionSlots().stream().map(ActionSlot::name).toList();
  }
}
