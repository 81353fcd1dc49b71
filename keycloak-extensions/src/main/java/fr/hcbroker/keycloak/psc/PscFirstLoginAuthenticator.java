package fr.hcbroker.keycloak.psc;

import jakarta.ws.rs.core.Response;
import java.util.List;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.authenticators.broker.AbstractIdpAuthenticator;
import org.keycloak.authentication.authenticators.broker.util.SerializedBrokeredIdentityContext;
import org.keycloak.broker.provider.BrokeredIdentityContext;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * The first login of a PSC identity: links it to the account whose {@code idnat_ps} is the
 * professional's SubjectNameID, or creates the account, or refuses, as the admin chose.
 *
 * <p>Why a first-broker-login authenticator: that flow is where Keycloak itself decides between
 * linking and creating, then records the link, fires the events and runs required actions. Its
 * built-in "detect existing user" step matches by email or username, which must never link a
 * professional (an email is not an identity); this step replaces it with a match on idnat_ps,
 * the attribute the CPS card login uses too.
 */
final class PscFirstLoginAuthenticator extends AbstractIdpAuthenticator {

    private static final Logger LOG = Logger.getLogger(PscFirstLoginAuthenticator.class);
    /** Keycloak's note telling the end of the first broker login that the account is new. */
    private static final String BROKER_REGISTERED_NEW_USER = "BROKER_REGISTERED_NEW_USER";

    @Override
    protected void authenticateImpl(AuthenticationFlowContext context, SerializedBrokeredIdentityContext serializedCtx,
                                    BrokeredIdentityContext brokerContext) {
        KeycloakSession session = context.getSession();
        RealmModel realm = context.getRealm();
        String idNat = brokerContext.getUserAttribute(PscProfile.IDNAT);
        if (idNat == null) {
            refuse(context, PscRefusal.IDENTITY_MISMATCH, "brokered identity has no idnat_ps");
            return;
        }
        List<UserModel> holders = session.users()
                .searchForUserByUserAttributeStream(realm, PscProfile.IDNAT, idNat).limit(2).toList();
        if (holders.size() > 1) {
            refuse(context, PscRefusal.ACCOUNT_CONFLICT, "several accounts hold idnat_ps " + idNat);
            return;
        }
        if (holders.size() == 1) {
            context.setUser(holders.get(0));
            context.success();
            return;
        }
        PscSettings settings;
        try {
            settings = PscSettings.from(brokerContext.getIdpConfig().getConfig());
        } catch (IllegalArgumentException e) {
            refuse(context, PscRefusal.UNAVAILABLE, e.getMessage());
            return;
        }
        if (!settings.createUnknown()) {
            refuse(context, PscRefusal.UNKNOWN_PROFESSIONAL, "no account holds idnat_ps " + idNat);
            return;
        }
        String email = brokerContext.getEmail();
        if (session.users().getUserByUsername(realm, idNat) != null
                || (email != null && session.users().getUserByEmail(realm, email) != null)) {
            refuse(context, PscRefusal.ACCOUNT_CONFLICT,
                    "another account already uses the username or email of idnat_ps " + idNat);
            return;
        }
        UserModel user = session.users().addUser(realm, idNat);
        user.setEnabled(true);
        user.setEmail(email);
        user.setFirstName(brokerContext.getFirstName());
        user.setLastName(brokerContext.getLastName());
        serializedCtx.getAttributes().forEach((name, values) -> {
            if (PscProfile.NAMES.contains(name) && values != null && !values.isEmpty()) {
                user.setAttribute(name, values);
            }
        });
        context.getAuthenticationSession().setAuthNote(BROKER_REGISTERED_NEW_USER, "true");
        context.setUser(user);
        context.success();
    }

    private static void refuse(AuthenticationFlowContext context, PscRefusal refusal, String reason) {
        LOG.warnf("Pro Santé Connect first login refused (%s): %s", refusal, reason);
        context.getEvent().detail("reason", reason);
        Response page = context.form().setError(refusal.messageKey()).createErrorPage(Response.Status.FORBIDDEN);
        context.failureChallenge(AuthenticationFlowError.INVALID_USER, page);
    }

    @Override
    protected void actionImpl(AuthenticationFlowContext context, SerializedBrokeredIdentityContext serializedCtx,
                              BrokeredIdentityContext brokerContext) {
        authenticateImpl(context, serializedCtx, brokerContext);
    }

    @Override
    public boolean requiresUser() {
        return false;
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return true;
    }
}
