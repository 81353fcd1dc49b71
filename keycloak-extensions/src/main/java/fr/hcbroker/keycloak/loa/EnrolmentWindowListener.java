package fr.hcbroker.keycloak.loa;

import java.util.Set;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * Closes a person's enrolment window ({@link SecondFactorEnrolment#WINDOW_ATTRIBUTE}) as soon as they
 * own a second factor: the window lets someone with only a password bind a first one, so it must
 * not stay open for a second (e.g. after the first is deleted).
 *
 * <p>Why an event listener: the factor is created by Keycloak's own setup required actions (TOTP,
 * WebAuthn), which end with a successful credential event and offer no other hook.
 */
final class EnrolmentWindowListener implements EventListenerProvider {

    private static final Set<EventType> CREDENTIAL_CREATED = Set.of(EventType.UPDATE_CREDENTIAL, EventType.UPDATE_TOTP);

    private final KeycloakSession session;

    EnrolmentWindowListener(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void onEvent(Event event) {
        if (!CREDENTIAL_CREATED.contains(event.getType()) || event.getError() != null || event.getUserId() == null) {
            return;
        }
        RealmModel realm = session.realms().getRealm(event.getRealmId());
        UserModel user = realm == null ? null : session.users().getUserById(realm, event.getUserId());
        if (user != null && user.getFirstAttribute(SecondFactorEnrolment.WINDOW_ATTRIBUTE) != null
                && SecondFactorCondition.ownsSecondFactor(user)) {
            user.removeAttribute(SecondFactorEnrolment.WINDOW_ATTRIBUTE);
        }
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
    }

    @Override
    public void close() {
    }
}
