package fr.hcbroker.keycloak.loa;

import jakarta.ws.rs.core.Response;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.Authenticator;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.credential.WebAuthnCredentialModel;

/**
 * The end of the way for someone a phishing-resistant client cannot let in: no such factor proven and
 * no security key to step up with. Beside the WebAuthn step as an alternative, it applies only to
 * people without a key ({@link #configuredFor}), so someone with a key is asked for it instead.
 *
 * <p>Recorded as a refused login (event error), shown as a page saying what the app needs; not a
 * failure counted by brute-force protection: the password and code were right, and counting them
 * would lock the person out of every other app.
 */
final class PhishingResistantRefusal implements Authenticator {

    static final String EVENT_ERROR = "phishing_resistant_factor_required";
    static final String MESSAGE = "hcPhishingResistantRequired";

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        context.getEvent().detail("reason", "the client requires a phishing-resistant factor ("
                        + String.join(" ", PhishingResistantFloor.of(context.getRealm()).methods())
                        + ") and the login proved " + LoginLevel.provenMethods(context.getSession(), context.getAuthenticationSession()))
                .error(EVENT_ERROR);
        context.challenge(context.form().setError(MESSAGE).createErrorPage(Response.Status.FORBIDDEN));
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        authenticate(context);
    }

    @Override
    public boolean requiresUser() {
        return true;
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return user.credentialManager().getStoredCredentialsByTypeStream(WebAuthnCredentialModel.TYPE_TWOFACTOR)
                .findAny().isEmpty();
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
    }

    @Override
    public void close() {
    }
}
