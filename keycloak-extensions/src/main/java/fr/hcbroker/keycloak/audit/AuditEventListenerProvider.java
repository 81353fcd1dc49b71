package fr.hcbroker.keycloak.audit;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.models.KeycloakSession;

/** Turns Keycloak events into audit records (DESIGN.md §6, {@code source = keycloak}). */
final class AuditEventListenerProvider implements EventListenerProvider {

    private static final DateTimeFormatter RFC3339_MS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

    private final KeycloakSession session;
    private final AuditLogFile file;

    AuditEventListenerProvider(KeycloakSession session, AuditLogFile file) {
        this.session = session;
        this.file = file;
    }

    @Override
    public void onEvent(Event event) {
        Map<String, Object> record = base(event.getTime(), event.getType().name());
        record.put("outcome", event.getError() == null ? "success" : "failure");
        record.put("reason", event.getError());
        record.put("realm", event.getRealmName());
        record.put("client", event.getClientId());
        record.put("user", username(event));
        record.put("session", event.getSessionId());
        record.put("client_ip", event.getIpAddress());
        if (event.getDetails() != null) {
            Map<String, String> details = new LinkedHashMap<>(event.getDetails());
            details.keySet().removeIf(AuditEventListenerProvider::isSecret);
            record.put("details", details);
        }
        file.append(record);
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
        Map<String, Object> record = base(event.getTime(), "ADMIN_" + event.getOperationType().name());
        record.put("outcome", event.getError() == null ? "success" : "failure");
        record.put("reason", event.getError());
        record.put("realm", event.getRealmName());
        record.put("resource", event.getResourceTypeAsString() + " " + event.getResourcePath());
        if (event.getAuthDetails() != null) {
            record.put("user", event.getAuthDetails().getUserId());
            record.put("client_ip", event.getAuthDetails().getIpAddress());
        }
        file.append(record);
    }

    private static Map<String, Object> base(long epochMillis, String event) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("ts", RFC3339_MS.format(Instant.ofEpochMilli(epochMillis)));
        record.put("source", "keycloak");
        record.put("event", event);
        return record;
    }

    private String username(Event event) {
        if (event.getUserId() == null) {
            return event.getDetails() == null ? null : event.getDetails().get("username");
        }
        var realm = session.realms().getRealm(event.getRealmId());
        var user = realm == null ? null : session.users().getUserById(realm, event.getUserId());
        return user == null ? event.getUserId() : user.getUsername();
    }

    /** Event details may carry redirect URIs with codes or tokens; they never reach the audit file. */
    private static boolean isSecret(String key) {
        String k = key.toLowerCase();
        return k.contains("token") || k.contains("code") || k.contains("secret") || k.contains("password")
                || k.equals("redirect_uri");
    }

    @Override
    public void close() {
    }
}
