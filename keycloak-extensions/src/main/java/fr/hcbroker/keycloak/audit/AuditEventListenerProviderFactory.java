package fr.hcbroker.keycloak.audit;

import java.nio.file.Path;
import java.util.List;
import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/**
 * Event listener {@code hc-audit}: writes Keycloak's authentication and admin events as audit
 * records (DESIGN.md §6), one JSON object per line. Enable it per realm (Events → Event listeners)
 * and point it at a file with {@code --spi-events-listener--hc-audit--file=/var/log/hc/keycloak-audit.jsonl}.
 */
public class AuditEventListenerProviderFactory implements EventListenerProviderFactory {

    public static final String PROVIDER_ID = "hc-audit";

    private AuditLogFile file;

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new AuditEventListenerProvider(session, file);
    }

    @Override
    public void init(Config.Scope config) {
        String path = config.get("file", "data/log/hc-audit.jsonl");
        file = new AuditLogFile(Path.of(path));
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
        if (file != null) {
            file.close();
        }
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name("file").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Path of the JSON-lines audit file (created if missing).")
                .defaultValue("data/log/hc-audit.jsonl").add()
                .build();
    }
}
