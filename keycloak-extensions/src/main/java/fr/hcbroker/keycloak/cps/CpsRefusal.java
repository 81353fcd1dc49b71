package fr.hcbroker.keycloak.cps;

/**
 * Why a card is refused. Each reason has its own message for the person (theme message key) and
 * its own event error, so the page and the audit record agree. None counts against the account's
 * brute-force lockout (see {@link CpsCardAuthenticator}).
 */
public enum CpsRefusal {
    EXPIRED("hcCpsExpired", "cps_certificate_expired"),
    NOT_YET_VALID("hcCpsNotYetValid", "cps_certificate_not_yet_valid"),
    UNTRUSTED_ISSUER("hcCpsUntrustedIssuer", "cps_untrusted_issuer"),
    ISSUER_SIGNATURE_MISMATCH("hcCpsIssuerSignatureMismatch", "cps_issuer_signature_mismatch"),
    WRONG_KEY_USAGE("hcCpsWrongKeyUsage", "cps_wrong_key_usage"),
    POLICY_NOT_ACCEPTED("hcCpsPolicyNotAccepted", "cps_policy_not_accepted"),
    REVOKED("hcCpsRevoked", "cps_certificate_revoked"),
    REVOCATION_UNAVAILABLE("hcCpsRevocationUnavailable", "cps_revocation_unavailable"),
    REVOCATION_RESPONSE_INVALID("hcCpsRevocationResponseInvalid", "cps_revocation_response_invalid"),
    BAD_SUBJECT("hcCpsBadSubject", "cps_bad_subject"),
    NO_ACCOUNT("hcCpsNoAccount", "cps_no_account"),
    ACCOUNT_DISABLED("hcCpsAccountDisabled", "cps_account_disabled"),
    ANOTHER_PERSON("hcCpsAnotherPerson", "cps_card_of_another_person"),
    LOCKED_OUT("hcCpsLockedOut", "cps_account_locked_out");

    private final String messageKey;
    private final String eventError;

    CpsRefusal(String messageKey, String eventError) {
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
