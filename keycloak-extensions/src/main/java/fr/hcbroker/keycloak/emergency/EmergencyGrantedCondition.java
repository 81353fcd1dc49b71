package fr.hcbroker.keycloak.emergency;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.authenticators.conditional.ConditionalAuthenticator;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * Matches when this login was (or, configured with {@code granted=false}, was not) granted emergency
 * access: lets the flow skip second-factor enrolment for an emergency login, and only for it.
 */
final class EmergencyGrantedCondition implements ConditionalAuthenticator {

    static final String GRANTED = "granted";

    @Override
    public boolean matchCondition(AuthenticationFlowContext context) {
        boolean granted = "true".equals(context.getAuthenticationSession()
                .getAuthNote(EmergencyAccessAuthenticator.GRANTED_AUTH_NOTE));
        boolean wantGranted = context.getAuthenticatorConfig() == null
                || !"false".equals(context.getAuthenticatorConfig().getConfig().get(GRANTED));
        return granted == wantGranted;
    }

    @Override
    public void action(AuthenticationFlowContext context) {
    }

    @Override
    public boolean requiresUser() {
        return false;
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
    }

    @Override
    public void close() {
    }
}
