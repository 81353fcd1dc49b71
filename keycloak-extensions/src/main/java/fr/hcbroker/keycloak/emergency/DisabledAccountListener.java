package fr.hcbroker.keycloak.emergency;

import java.util.List;
import org.jboss.logging.Logger;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.services.managers.AuthenticationManager;

/**
 * When an admin disables an account, its emergency sessions end at once, everywhere: each is removed
 * with a back-channel logout to every app that took it (the gateway ends its own session on every
 * node). Without this they would live until the next token refresh.
 */
final class DisabledAccountListener implements EventListenerProvider {

    private static final Logger LOG = Logger.getLogger(DisabledAccountListener.class);
    private final KeycloakSession session;

    DisabledAccountListener(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void onEvent(Event event) {
        // Only admin changes matter here.
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
        if (event.getResourceType() != ResourceType.USER || event.getOperationType() != OperationType.UPDATE
                || event.getResourcePath() == null || !event.getResourcePath().matches("users/[^/]+")) {
            return;
        }
        RealmModel realm = session.realms().getRealm(event.getRealmId());
        UserModel user = realm == null ? null : session.users().getUserById(realm, event.getResourcePath().substring(6));
        if (user == null || user.isEnabled()) {
            return;
        }
        List<UserSessionModel> emergency = session.sessions().getUserSessionsStream(realm, user)
                .filter(s -> EmergencySession.of(s.getNotes()).isPresent()).toList();
        for (UserSessionModel userSession : emergency) {
            LOG.infof("account %s disabled: ending its emergency session %s", user.getUsername(), userSession.getId());
            AuthenticationManager.backchannelLogout(session, userSession, true);
        }
    }

    @Override
    public void close() {
    }
}
