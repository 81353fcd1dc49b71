package fr.hcbroker.keycloak.audit;

import fr.hcbroker.audit.AuditRecord;
import fr.hcbroker.audit.AuditWriter;
import fr.hcbroker.keycloak.emergency.EmergencySession;
import fr.hcbroker.keycloak.loa.AmrProtocolMapper;
import fr.hcbroker.keycloak.loa.LoginLevel;
import fr.hcbroker.keycloak.psc.PscIdentityProvider;
import fr.hcbroker.loa.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.keycloak.authentication.authenticators.util.AcrStore;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;

/**
 * Turns Keycloak events into audit records ({@code source = keycloak}): logins and their failures
 * with method, level, amr, identity provider and card details, logouts, second-factor enrolments,
 * admin changes and who made them. Waits until each record is on disk.
 */
final class AuditEventListenerProvider implements EventListenerProvider {

    private final KeycloakSession session;
    private final AuditWriter writer;

    AuditEventListenerProvider(KeycloakSession session, AuditWriter writer) {
        this.session = session;
        this.writer = writer;
    }

    @Override
    public void onEvent(Event event) {
        RealmModel realm = session.realms().getRealm(event.getRealmId());
        UserModel user = realm == null || event.getUserId() == null ? null : session.users().getUserById(realm, event.getUserId());
        UserSessionModel userSession = realm == null || event.getSessionId() == null ? null
                : session.sessions().getUserSession(realm, event.getSessionId());
        Map<String, String> details = new HashMap<>();
        if (event.getDetails() != null) {
            details.putAll(event.getDetails());
        }
        details.put("client", event.getClientId());
        details.put("realm", event.getRealmName());
        // Only a known account's name: one typed for no account is often a password in the wrong field.
        String username = user != null ? user.getUsername() : null;
        AuthenticatedClientSessionModel clientSession = clientSession(realm, userSession, event.getClientId());
        if (event.getType() == EventType.LOGIN && clientSession != null
                && clientSession.getNote(PscIdentityProvider.DISAGREEMENT_NOTE) != null) {
            // Recorded with the login it belongs to, once: a later login of this client in the session reuses it.
            details.put(PscIdentityProvider.DISAGREEMENT_DETAIL, clientSession.getNote(PscIdentityProvider.DISAGREEMENT_NOTE));
            clientSession.removeNote(PscIdentityProvider.DISAGREEMENT_NOTE);
        }
        write(new AuditRecord(AuditRecord.timestamp(Instant.ofEpochMilli(event.getTime())), "keycloak",
                event.getType().name().toLowerCase(Locale.ROOT), event.getError() == null ? "success" : "failure",
                event.getError(), username, user == null ? null : user.getFirstAttribute("idnat_ps"),
                level(userSession, clientSession),
                amr(userSession, clientSession), event.getSessionId(), null, null, null, null, event.getIpAddress(), null,
                details));
    }

    /** The same level as the login's acr claim: an emergency session is eidas1 whatever its flow passed. */
    private static String level(UserSessionModel userSession, AuthenticatedClientSessionModel clientSession) {
        if (clientSession == null) {
            return null;
        }
        if (EmergencySession.of(userSession.getNotes()).isPresent()) {
            return Level.LOW.acr();
        }
        return Level.fromLoa(AcrStore.getCurrentLevelOfAuthentication(clientSession)).map(Level::acr).orElse(null);
    }

    /** The same amr values as the login's tokens (one computation, in the amr mapper). */
    private List<String> amr(UserSessionModel userSession, AuthenticatedClientSessionModel clientSession) {
        if (userSession == null) {
            return List.of();
        }
        if (clientSession == null) {
            return new ArrayList<>(LoginLevel.amr(userSession.getNote(LoginLevel.AMR_NOTE)));
        }
        return new ArrayList<>(new AmrProtocolMapper().amr(session, userSession, clientSession));
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
        String admin = null;
        String ip = null;
        if (event.getAuthDetails() != null) {
            ip = event.getAuthDetails().getIpAddress();
            RealmModel adminRealm = session.realms().getRealm(event.getAuthDetails().getRealmId());
            UserModel who = adminRealm == null ? null : session.users().getUserById(adminRealm, event.getAuthDetails().getUserId());
            admin = who == null ? event.getAuthDetails().getUserId() : who.getUsername();
        }
        write(new AuditRecord(AuditRecord.timestamp(Instant.ofEpochMilli(event.getTime())), "keycloak",
                "admin-" + event.getOperationType().name().toLowerCase(Locale.ROOT),
                event.getError() == null ? "success" : "failure", event.getError(), admin, null, null, List.of(),
                null, null, null, null, null, ip, null,
                Map.of("realm", String.valueOf(event.getRealmName()),
                        "resource", event.getResourceTypeAsString() + " " + event.getResourcePath(),
                        "admin", String.valueOf(admin))));
    }

    private static AuthenticatedClientSessionModel clientSession(RealmModel realm, UserSessionModel userSession,
                                                                 String clientId) {
        if (realm == null || userSession == null || clientId == null) {
            return null;
        }
        ClientModel client = realm.getClientByClientId(clientId);
        return client == null ? null : userSession.getAuthenticatedClientSessionByClient(client.getId());
    }

    /** Durable before the request that caused the event completes; a failure to write fails it. */
    private void write(AuditRecord record) {
        writer.append(record, true).join();
    }

    @Override
    public void close() {
    }
}
