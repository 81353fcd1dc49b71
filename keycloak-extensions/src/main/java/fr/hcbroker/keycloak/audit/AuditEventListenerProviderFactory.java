package fr.hcbroker.keycloak.audit;

import fr.hcbroker.audit.AuditWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/**
 * Event listener {@code hc-audit}: Keycloak's authentication and admin events as audit records
 * (DESIGN.md §6) in the same hash-chained files as the gateway's ({@code keycloak-<date>.jsonl}).
 * Enable it per realm (Events → Event listeners) and choose the directory with
 * {@code --spi-events-listener--hc-audit--dir=/var/log/hc}.
 */
public class AuditEventListenerProviderFactory implements EventListenerProviderFactory {

    public static final String PROVIDER_ID = "hc-audit";

    private AuditWriter writer;

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new AuditEventListenerProvider(session, writer);
    }

    @Override
    public void init(Config.Scope config) {
        // Every Keycloak record is urgent (written before the event's request completes): no window.
        writer = new AuditWriter(Path.of(config.get("dir", "data/audit")), "keycloak", Duration.ZERO, 1000,
                Clock.systemUTC());
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return ProviderConfigurationBuilder.create()
                .property().name("dir").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("Directory of the audit files (keycloak-<date>.jsonl, signed checkpoints, signing key).")
                .defaultValue("data/audit").add()
                .build();
    }
}
