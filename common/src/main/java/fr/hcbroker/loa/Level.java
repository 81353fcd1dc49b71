package fr.hcbroker.loa;

import java.util.Arrays;
import java.util.Optional;

/**
 * The eIDAS levels of assurance as hc-broker names them (DESIGN.md §2). The order of the constants
 * is the order of strength, so levels compare with {@link #atLeast}.
 */
public enum Level {
    LOW("eidas1", 1),
    SUBSTANTIAL("eidas2", 2),
    HIGH("eidas3", 3);

    private final String acr;
    private final int loa;

    Level(String acr, int loa) {
        this.acr = acr;
        this.loa = loa;
    }

    /** The {@code acr} claim value, e.g. {@code eidas2}. */
    public String acr() {
        return acr;
    }

    /** The number Keycloak's {@code acr.loa.map} uses for this level. */
    public int loa() {
        return loa;
    }

    public boolean atLeast(Level other) {
        return compareTo(other) >= 0;
    }

    /** Exact match on the acr value; anything else (null, blank, other spellings) is unknown. */
    public static Optional<Level> fromAcr(String acr) {
        return Arrays.stream(values()).filter(l -> l.acr.equals(acr)).findFirst();
    }

    public static Optional<Level> fromLoa(int loa) {
        return Arrays.stream(values()).filter(l -> l.loa == loa).findFirst();
    }
}
