package fr.hcbroker.keycloak.loa;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.authenticators.conditional.ConditionalAuthenticator;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * Matches when the client demands a phishing-resistant factor ({@link PhishingResistantFloor}) and
 * this login, with the SSO session it continues, has proven none: its sub-flow then asks for the
 * security key, or refuses. Placed after the ways in, so it sees what the password, second-factor,
 * card and cookie steps proved.
 */
final class PhishingResistantCondition implements ConditionalAuthenticator {

    @Override
    public boolean matchCondition(AuthenticationFlowContext context) {
        return PhishingResistantFloor.requiredBy(context.getAuthenticationSession().getClient())
                && !PhishingResistantFloor.of(context.getRealm())
                .metBy(LoginLevel.provenMethods(context.getSession(), context.getAuthenticationSession()));
    }

    @Override
    public void action(AuthenticationFlowContext context) {
    }

    @Override
    public boolean requiresUser() {
        return true;
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
    }

    @Override
    public void close() {
    }
}
