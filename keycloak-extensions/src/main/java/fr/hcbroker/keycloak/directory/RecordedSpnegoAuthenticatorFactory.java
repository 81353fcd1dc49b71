package fr.hcbroker.keycloak.directory;

import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.authenticators.browser.SpnegoAuthenticatorFactory;
import org.keycloak.models.KeycloakSession;

/**
 * Keycloak's Kerberos step with refused tokens recorded. Its reference category stays Keycloak's
 * ("kerberos"), so Keycloak itself turns it on and off with the directory's Kerberos setting.
 */
public final class RecordedSpnegoAuthenticatorFactory extends SpnegoAuthenticatorFactory {

    public static final String ID = "hc-spnego";
    private static final RecordedSpnegoAuthenticator AUTHENTICATOR = new RecordedSpnegoAuthenticator();

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return AUTHENTICATOR;
    }

    @Override
    public String getDisplayType() {
        return "hc-broker - Kerberos (refusals recorded)";
    }

    @Override
    public String getHelpText() {
        return "Keycloak's Kerberos/SPNEGO step; a refused Negotiate token falls back to the next step as in Keycloak, and is recorded as LOGIN_ERROR.";
    }
}
