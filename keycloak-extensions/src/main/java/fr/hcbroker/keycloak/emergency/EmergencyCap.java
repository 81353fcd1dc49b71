package fr.hcbroker.keycloak.emergency;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The person's past emergency accesses, kept in a user attribute (admin-only, one ISO-8601 instant per
 * value) so the cap holds across sessions, nodes and restarts. Entries older than the period are
 * dropped when a new one is added; an unreadable entry counts as a use (fail closed).
 */
final class EmergencyCap {

    /** User attribute holding the instants of the person's emergency accesses. */
    static final String USES_ATTRIBUTE = "hc_emergency_uses";

    private EmergencyCap() {
    }

    static long usesWithin(List<String> uses, Instant now, Duration period) {
        Instant since = now.minus(period);
        return uses.stream().filter(u -> {
            try {
                return Instant.parse(u.trim()).isAfter(since);
            } catch (DateTimeParseException e) {
                return true;
            }
        }).count();
    }

    /** The attribute's new values: the uses still within the period, then {@code now}. */
    static List<String> withUse(List<String> uses, Instant now, Duration period) {
        Instant since = now.minus(period);
        List<String> kept = new ArrayList<>();
        for (String u : uses) {
            try {
                if (Instant.parse(u.trim()).isAfter(since)) {
                    kept.add(u.trim());
                }
            } catch (DateTimeParseException e) {
                kept.add(u);
            }
        }
        kept.add(now.toString());
        return kept;
    }
}
