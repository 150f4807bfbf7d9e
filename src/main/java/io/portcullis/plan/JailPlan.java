package io.portcullis.plan;

import io.portcullis.config.ConfigException;
import io.portcullis.config.Origin;
import io.portcullis.filter.Filter;
import io.portcullis.filter.FilterSpec;
import io.portcullis.geo.CountryShield;
import io.portcullis.jail.JailSettings;
import io.portcullis.pbx.RegistrarSpec;
import io.portcullis.shield.NetworkPolicy;
import io.portcullis.shield.RateLimit;
import java.time.ZoneId;
import java.util.List;

/**
 * A jail ready to run: its definition checked as a whole and against this machine, everything
 * parsed into the values the runtime takes. Immutable; the server, {@code check}, {@code reload}
 * and {@code replay} all get theirs from {@link Assembler}, so they accept and refuse the same.
 *
 * @param filter the filter's spec (it compiled when the plan was made; each reader builds its own
 *     {@link Filter}, which keeps per-log state)
 * @param zone for dates without one
 * @param settings the decision settings the jail starts with ({@code set} changes them at run time)
 * @param ignoreSelf whether this machine's own addresses are never counted
 * @param ignoreCommand fail2ban's {@code ignorecommand} ({@code <ip>} replaced), or null
 * @param actionProblems action (and registrations) lines that cannot run: reported, the jail runs
 *     without them
 * @param notes worth saying at start and in check (a name in ignoreip that does not resolve ...)
 * @param registrars where to read the phones registered on the SIP server (trusted while
 *     registered)
 * @param netban when the jail bans whole networks ({@code netban4}, {@code netban6})
 * @param ratelimit per-source packet rate limits on the jail's ports ({@code ratelimit})
 * @param countries the countries dropped or alone let in on the jail's ports ({@code countries}),
 *     with their networks from the country database
 */
public record JailPlan(
    String name,
    FilterSpec filter,
    ZoneId zone,
    JailSettings settings,
    boolean ignoreSelf,
    String ignoreCommand,
    SourcePlan source,
    List<ActionPlan> actions,
    List<ConfigException> actionProblems,
    List<String> notes,
    Origin origin,
    List<RegistrarSpec> registrars,
    NetworkPolicy netban,
    RateLimit ratelimit,
    CountryShield countries) {
  public JailPlan {
    registrars = List.copyOf(registrars);
    actions = List.copyOf(actions);
    actionProblems = List.copyOf(actionProblems);
    notes = List.copyOf(notes);
  }

  /** A new filter for one reader of this jail's lines. */
  public Filter newFilter() {
    return Filter.builder(filter).build();
  }
}
