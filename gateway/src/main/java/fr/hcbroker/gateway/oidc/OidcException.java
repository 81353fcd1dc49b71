package fr.hcbroker.gateway.oidc;

/**
 * A login that cannot complete. {@code unavailable} means Keycloak could not be reached (the person
 * gets a 503 page and may retry); otherwise the answer was refused (a 400/403 page).
 */
public class OidcException extends RuntimeException {
    private final boolean unavailable;

    public OidcException(String message, boolean unavailable, Throwable cause) {
        super(message, cause);
        this.unavailable = unavailable;
    }

    public boolean unavailable() {
        return unavailable;
    }
}
