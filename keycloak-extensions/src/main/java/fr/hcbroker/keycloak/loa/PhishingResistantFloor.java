package fr.hcbroker.keycloak.loa;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.keycloak.models.ClientModel;
import org.keycloak.models.RealmModel;

/**
 * The floor some clients set above "any second factor": a phishing-resistant one, i.e. a method
 * bound to the site or to a card the person holds (security key {@code hwk}, CPS card {@code sc}),
 * where a one-time code ({@code otp}) or the e-CPS app ({@code swk}) can be relayed by a fake page.
 *
 * <p>Two settings, read here only: the client attribute {@value #CLIENT_ATTRIBUTE} ({@code true} to
 * demand it) and the realm attribute {@value #REALM_ATTRIBUTE} (the amr values that count, space
 * separated, default {@code hwk sc}). Realm-wide, not per execution, because the browser flow and the
 * Pro Santé Connect broker must apply the same list.
 */
public record PhishingResistantFloor(Set<String> methods) {

    /** Client attribute: {@code true} when the client demands a phishing-resistant factor. */
    public static final String CLIENT_ATTRIBUTE = "hc.phishing.resistant";
    /** Realm attribute: the amr values that count as phishing-resistant. */
    public static final String REALM_ATTRIBUTE = "hc.phishing.resistant.methods";
    static final Set<String> DEFAULT_METHODS = Set.of("hwk", "sc");

    public PhishingResistantFloor {
        methods = Set.copyOf(methods);
    }

    /** Only an explicit {@code true} demands it: the attribute is a switch an admin turns on. */
    public static boolean requiredBy(ClientModel client) {
        return client != null && "true".equalsIgnoreCase(strip(client.getAttribute(CLIENT_ATTRIBUTE)));
    }

    public static PhishingResistantFloor of(RealmModel realm) {
        return parse(realm.getAttribute(REALM_ATTRIBUTE));
    }

    /** An absent or blank value is the default list: never an empty list that nothing could meet or everything would. */
    static PhishingResistantFloor parse(String value) {
        Set<String> methods = value == null ? Set.of()
                : Arrays.stream(value.trim().split("[\\s,]+")).filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(LinkedHashSet::new));
        return new PhishingResistantFloor(methods.isEmpty() ? DEFAULT_METHODS : methods);
    }

    /** Whether the methods a login proved include one of ours. */
    public boolean metBy(Collection<String> amr) {
        return amr.stream().anyMatch(methods::contains);
    }

    private static String strip(String value) {
        return value == null ? null : value.strip();
    }
}
