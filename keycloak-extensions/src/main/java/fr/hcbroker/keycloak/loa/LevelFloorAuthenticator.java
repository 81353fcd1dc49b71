package fr.hcbroker.keycloak.loa;

import fr.hcbroker.keycloak.emergency.EmergencySsoCheck;
import fr.hcbroker.loa.Level;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.Authenticator;
import org.keycloak.models.ClientModel;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * Raises the level a login must reach to the realm's floor (eidas2 unless configured otherwise),
 * for every client that has no explicit "Minimum ACR value" of its own, and forces it.
 *
 * <p>Why an authenticator: Keycloak applies a minimum level only per client ({@code minimum.acr.value});
 * it has no realm-wide default, so a client added without one would accept a password alone. This
 * runs first in the browser flow, before the cookie check, so an SSO session below the floor steps up.
 * Account actions requested through any client ({@code kc_action}) are held to the floor too.
 * An emergency SSO session is held to its limit and to the apps that allow it here, before anything else.
 */
final class LevelFloorAuthenticator implements Authenticator {

    /** Realm attribute holding the floor's acr value. */
    static final String REALM_FLOOR_ATTRIBUTE = "hc.minimum.acr";

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        if (EmergencySsoCheck.refused(context)) {
            return;
        }
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        ClientModel client = authSession.getClient();
        if (client.getAttribute(Constants.MINIMUM_ACR_VALUE) == null || isApplicationInitiatedAction(authSession)) {
            Level floor = floor(context.getRealm());
            String requested = authSession.getClientNote(Constants.REQUESTED_LEVEL_OF_AUTHENTICATION);
            int requestedLoa = requested == null ? Constants.NO_LOA : Integer.parseInt(requested);
            if (requestedLoa < floor.loa()) {
                authSession.setClientNote(Constants.REQUESTED_LEVEL_OF_AUTHENTICATION, String.valueOf(floor.loa()));
            }
        }
        // Forced: a flow that ends below the requested level fails instead of issuing a weaker token.
        authSession.setClientNote(Constants.FORCE_LEVEL_OF_AUTHENTICATION, "true");
        context.success();
    }

    /**
     * An application-initiated action ({@code kc_action}: set up TOTP, register a key, delete a
     * credential, ...) is held to the floor even through an app lowered to eidas1: otherwise a
     * password-only session would add its own second factor or remove the owner's. Keycloak guards
     * only {@code delete_credential}, and only for the credential's own level.
     */
    private static boolean isApplicationInitiatedAction(AuthenticationSessionModel authSession) {
        return authSession.getClientNote(Constants.KC_ACTION) != null;
    }

    /** The realm's floor; an unreadable value means the strictest usual floor, never a lower one. */
    static Level floor(RealmModel realm) {
        return Level.fromAcr(realm.getAttribute(REALM_FLOOR_ATTRIBUTE)).orElse(Level.SUBSTANTIAL);
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        context.success();
    }

    @Override
    public boolean requiresUser() {
        return false;
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return true;
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
    }

    @Override
    public void close() {
    }
}
