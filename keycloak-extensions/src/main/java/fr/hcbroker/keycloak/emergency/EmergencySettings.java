package fr.hcbroker.keycloak.emergency;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The emergency-access settings of a realm, read once from the authenticator's configuration
 * (admin console: the {@code hc-emergency-access} step of the browser flow). Off unless
 * {@link #ENABLED} is {@code true}; a malformed value fails the whole configuration rather than
 * loosening it.
 *
 * @param reasons reason code to the label shown to the person, in order (codes go to the audit trail)
 */
public record EmergencySettings(boolean enabled, Map<String, String> reasons, Duration lifetime, int capCount,
                                Duration capPeriod, List<String> alertAddresses, String contact, int noteMaxLength) {

    public static final String ENABLED = "hc.emergency.enabled";
    public static final String REASONS = "hc.emergency.reasons";
    public static final String LIFETIME_SECONDS = "hc.emergency.lifetime.seconds";
    public static final String CAP_COUNT = "hc.emergency.cap.count";
    public static final String CAP_DAYS = "hc.emergency.cap.days";
    public static final String ALERT_ADDRESSES = "hc.emergency.alert.addresses";
    public static final String CONTACT = "hc.emergency.contact";
    public static final String NOTE_MAX_LENGTH = "hc.emergency.note.max.length";

    static final String DEFAULT_REASONS = "urgence-vitale=Urgence vitale##continuite-des-soins=Continuité des soins";
    private static final Pattern CODE = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
    private static final Pattern ADDRESS = Pattern.compile("[^@\\s,;<>]+@[^@\\s,;<>]+");

    public EmergencySettings {
        reasons = Map.copyOf(reasons);
        alertAddresses = List.copyOf(alertAddresses);
    }

    /** Parses the admin configuration; throws {@link IllegalArgumentException} naming the bad setting. */
    public static EmergencySettings from(Map<String, String> raw) {
        Map<String, String> config = raw == null ? Map.of() : raw;
        boolean enabled = "true".equals(config.getOrDefault(ENABLED, "false").trim());
        Map<String, String> reasons = reasons(config.getOrDefault(REASONS, DEFAULT_REASONS));
        int seconds = positive(config, LIFETIME_SECONDS, 4 * 3600);
        int capCount = positive(config, CAP_COUNT, 3);
        int capDays = positive(config, CAP_DAYS, 30);
        List<String> addresses = Arrays.stream(config.getOrDefault(ALERT_ADDRESSES, "").split("##|,"))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String address : addresses) {
            if (!ADDRESS.matcher(address).matches()) {
                throw new IllegalArgumentException(ALERT_ADDRESSES + ": not an email address: " + address);
            }
        }
        String contact = config.getOrDefault(CONTACT, "").trim();
        int noteMax = positive(config, NOTE_MAX_LENGTH, 200);
        return new EmergencySettings(enabled, reasons, Duration.ofSeconds(seconds), capCount, Duration.ofDays(capDays),
                addresses, contact, noteMax);
    }

    /** {@code code=Label##code=Label}: codes are lower-case words with dashes, labels non-empty. */
    static Map<String, String> reasons(String value) {
        Map<String, String> reasons = new LinkedHashMap<>();
        for (String item : value.split("##")) {
            if (item.isBlank()) {
                continue;
            }
            int eq = item.indexOf('=');
            String code = eq < 0 ? "" : item.substring(0, eq).trim();
            String label = eq < 0 ? "" : item.substring(eq + 1).trim();
            if (!CODE.matcher(code).matches() || label.isEmpty() || reasons.putIfAbsent(code, label) != null) {
                throw new IllegalArgumentException(REASONS + ": expected code=Label items separated by ##, got: " + item);
            }
        }
        if (reasons.isEmpty()) {
            throw new IllegalArgumentException(REASONS + ": at least one reason is needed");
        }
        return reasons;
    }

    private static int positive(Map<String, String> config, String key, int fallback) {
        String value = config.get(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + ": expected a positive whole number, got: " + value);
    }
}
