package fr.hcbroker.keycloak.lockout;

import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserLoginFailureModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.managers.BruteForceProtector;

/**
 * A successful login by any means clears the account's brute-force failure count, as Keycloak does
 * only for logins that used a password, OTP or recovery code: a card or Pro Santé Connect login left
 * earlier failures counting toward the next lock. A lock in force is not lifted by a login (it ends
 * with its wait or by an admin); refusals keep counting as Keycloak counts them.
 */
final class FailureCountResetListener implements EventListenerProvider {

    private final KeycloakSession session;

    FailureCountResetListener(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void onEvent(Event event) {
        if (event.getType() != EventType.LOGIN || event.getError() != null || event.getUserId() == null) {
            return;
        }
        RealmModel realm = session.realms().getRealm(event.getRealmId());
        if (realm == null || !realm.isBruteForceProtected()) {
            return;
        }
        UserLoginFailureModel failures = session.loginFailures().getUserLoginFailure(realm, event.getUserId());
        UserModel user = session.users().getUserById(realm, event.getUserId());
        if (failures == null || user == null) {
            return;
        }
        BruteForceProtector protector = session.getProvider(BruteForceProtector.class);
        if (protector.isTemporarilyDisabled(session, realm, user) || protector.isPermanentlyLockedOut(session, realm, user)) {
            return;
        }
        session.loginFailures().removeUserLoginFailure(realm, event.getUserId());
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
    }

    @Override
    public void close() {
    }
}
