package fr.hcbroker.keycloak.emergency;

import java.util.Map;
import java.util.Optional;

/**
 * What marks a session as emergency: user-session notes, written only by the emergency step and
 * never taken from a request, read by the token mapper, the level floor and the audit. Tokens carry
 * them as {@code hc_emergency}, {@code hc_emergency_reason}, {@code hc_emergency_until} (docs/fr/acces-urgence.md).
 */
public record EmergencySession(String reason, long untilEpochSecond) {

    public static final String NOTE = "hc.emergency";
    public static final String REASON_NOTE = "hc.emergency.reason";
    public static final String UNTIL_NOTE = "hc.emergency.until";

    public static final String CLAIM = "hc_emergency";
    public static final String REASON_CLAIM = "hc_emergency_reason";
    public static final String UNTIL_CLAIM = "hc_emergency_until";

    /** Client attribute: {@code true} lets this app take emergency sessions (absent: refused). */
    public static final String CLIENT_ALLOWED_ATTRIBUTE = "hc.emergency.allowed";

    /**
     * The emergency marker of a session's notes. A marked session whose limit is unreadable is still
     * emergency, with a limit already past: it never becomes an ordinary session.
     */
    public static Optional<EmergencySession> of(Map<String, String> notes) {
        if (notes == null || !"true".equals(notes.get(NOTE))) {
            return Optional.empty();
        }
        long until;
        try {
            until = Long.parseLong(notes.getOrDefault(UNTIL_NOTE, "0"));
        } catch (NumberFormatException e) {
            until = 0;
        }
        return Optional.of(new EmergencySession(notes.getOrDefault(REASON_NOTE, ""), until));
    }

    public boolean expiredAt(long epochSecond) {
        return epochSecond >= untilEpochSecond;
    }
}
