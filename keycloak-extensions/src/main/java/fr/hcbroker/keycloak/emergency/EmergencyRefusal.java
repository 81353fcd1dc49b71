package fr.hcbroker.keycloak.emergency;

/**
 * Why an emergency access is refused. As for cards, each reason has its page message, its event
 * error (the {@code reason} of the audit record) and whether it counts against the account; none
 * does: the password was right, and locking out a clinician in an emergency helps nobody.
 */
public enum EmergencyRefusal {
    /** The app asking for the login does not take emergency sessions ({@code hc.emergency.allowed}). */
    NOT_ALLOWED_FOR_CLIENT("hcEmergencyNotAllowed", "emergency_not_allowed_for_client"),
    /** The person used up their emergency accesses for the period. */
    CAP_REACHED("hcEmergencyCapReached", "emergency_cap_reached"),
    /** A reason outside the configured list: a forged form. */
    REASON_INVALID("hcEmergencyReasonInvalid", "emergency_reason_invalid"),
    /** An emergency session past its limit, presented again (SSO). */
    EXPIRED("hcEmergencyExpired", "emergency_session_expired");

    private final String messageKey;
    private final String eventError;

    EmergencyRefusal(String messageKey, String eventError) {
        this.messageKey = messageKey;
        this.eventError = eventError;
    }

    public String messageKey() {
        return messageKey;
    }

    public String eventError() {
        return eventError;
    }
}
