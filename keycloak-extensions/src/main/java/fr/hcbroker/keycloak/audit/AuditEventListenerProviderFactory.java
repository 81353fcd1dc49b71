package fr.hcbroker.keycloak.audit;

import fr.hcbroker.audit.AuditRecord;
import fr.hcbroker.audit.AuditWriter;
import fr.hcbroker.audit.SyslogForwarder;
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
    private SyslogForwarder forwarder;

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new AuditEventListenerProvider(session, writer);
    }

    @Override
    public void init(Config.Scope config) {
        // Every Keycloak record is urgent (written before the event's request completes): no window.
        Path dir = Path.of(config.get("dir", "data/audit"));
        writer = new AuditWriter(dir, "keycloak", Duration.ZERO, 10_000, Duration.ofSeconds(1), Clock.systemUTC());
        String syslogHost = config.get("syslog-host");
        if (syslogHost != null && !syslogHost.isBlank()) {
            forwarder = new SyslogForwarder(dir, "keycloak", syslogHost, config.getInt("syslog-port", 6514),
                    config.getBoolean("syslog-tls", true));
        }
    }

    /**
     * Writes a record that is no Keycloak event (an emergency access, its alerts) into the same
     * trail; durable when this returns, and a failure to write fails the caller.
     */
    public void append(AuditRecord record) {
        writer.append(record, true).join();
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
        if (forwarder != null) {
            forwarder.close();
        }
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
                .property().name("syslog-host").type(ProviderConfigProperty.STRING_TYPE)
                .helpText("SIEM to forward records to (RFC 5424 syslog, octet counting); none if empty.").add()
                .property().name("syslog-port").type(ProviderConfigProperty.INTEGER_TYPE).defaultValue("6514")
                .helpText("SIEM syslog port.").add()
                .property().name("syslog-tls").type(ProviderConfigProperty.BOOLEAN_TYPE).defaultValue("true")
                .helpText("TLS to the SIEM, trusting the JVM's trust store.").add()
                .build();
    }
}
