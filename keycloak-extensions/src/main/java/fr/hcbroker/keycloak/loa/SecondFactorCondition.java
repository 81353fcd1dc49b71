package fr.hcbroker.keycloak.loa;

import java.util.Set;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.authenticators.conditional.ConditionalAuthenticator;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.credential.OTPCredentialModel;
import org.keycloak.models.credential.WebAuthnCredentialModel;

/**
 * Matches when the user owns (or, configured with {@code enrolled=false}, lacks) any second factor:
 * TOTP or WebAuthn. Lets the flow make someone without a second factor enrol one, with no skip,
 * while someone with several chooses among them.
 *
 * <p>Why a condition of our own: "Condition - user configured" looks only at the executions of its
 * own sub-flow, and "Condition - credential" at the credentials used in this login; neither says
 * "owns none of these credential types".
 */
final class SecondFactorCondition implements ConditionalAuthenticator {

    static final String ENROLLED = "enrolled";
    private static final Set<String> SECOND_FACTORS = Set.of(OTPCredentialModel.TYPE, WebAuthnCredentialModel.TYPE_TWOFACTOR);

    @Override
    public boolean matchCondition(AuthenticationFlowContext context) {
        UserModel user = context.getUser();
        boolean owns = user != null && ownsSecondFactor(user);
        boolean wantEnrolled = context.getAuthenticatorConfig() == null
                || !"false".equals(context.getAuthenticatorConfig().getConfig().get(ENROLLED));
        return owns == wantEnrolled;
    }

    static boolean ownsSecondFactor(UserModel user) {
        return user.credentialManager().getStoredCredentialsStream().anyMatch(c -> SECOND_FACTORS.contains(c.getType()));
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
