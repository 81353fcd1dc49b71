package fr.hcbroker.keycloak.psc;

/**
 * Why a Pro Santé Connect login is refused. Each reason has a message of the login theme
 * (messages_fr/en) shown to the person, and the same reason goes to the event and the log.
 */
public enum PscRefusal {
    /** ID token: signature, iss, aud, exp, nonce, or an unusable token response. */
    TOKEN_INVALID("hcPscTokenInvalid"),
    /** acr missing, unknown, or below the configured minimum. */
    LEVEL_REFUSED("hcPscLevelRefused"),
    /** The login's level (e-CPS: eidas2) is below the one the app requires (e.g. eidas3). */
    LEVEL_BELOW_REQUIRED("hcPscLevelBelowRequired"),
    /**
     * The app demands a phishing-resistant factor (security key, card) and this PSC login proved none
     * (e-CPS app): the card is the way in.
     */
    PHISHING_RESISTANT_REQUIRED("hcPscPhishingResistantRequired"),
    /** Userinfo unreadable, or a signed userinfo whose signature, iss or aud fails. */
    USERINFO_INVALID("hcPscUserInfoInvalid"),
    /** The userinfo describes someone else than the ID token, or carries no usable idNat_PS. */
    IDENTITY_MISMATCH("hcPscIdentityMismatch"),
    /** No account holds this idNat_PS and the admin chose to refuse unknown professionals. */
    UNKNOWN_PROFESSIONAL("hcPscUnknownProfessional"),
    /** Creating the account would take the username or email of another account: never linked. */
    ACCOUNT_CONFLICT("hcPscAccountConflict"),
    /**
     * The account signed in, or linked to this PSC identity, does not hold its idNat_PS: never linked,
     * logged into or updated.
     */
    ACCOUNT_MISMATCH("hcPscAccountMismatch"),
    /**
     * PSC refused the establishment's client authentication: TLS handshake refused (certificate missing,
     * wrong or untrusted), or the token endpoint answered invalid_client (secret, signed JWT or certificate).
     */
    CLIENT_REFUSED("hcPscClientRefused"),
    /** The establishment's certificate for tls_client_auth cannot be used here (file, password, validity). */
    CLIENT_CERTIFICATE("hcPscClientCertificate"),
    /** PSC's discovery document or keys cannot be fetched, or the configuration is invalid. */
    UNAVAILABLE("hcPscUnavailable");

    private final String messageKey;

    PscRefusal(String messageKey) {
        this.messageKey = messageKey;
    }

    public String messageKey() {
        return messageKey;
    }
}
