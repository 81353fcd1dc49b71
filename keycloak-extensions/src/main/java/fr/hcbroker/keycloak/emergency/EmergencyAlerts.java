package fr.hcbroker.keycloak.emergency;

import fr.hcbroker.audit.AuditRecord;
import fr.hcbroker.keycloak.audit.AuditEventListenerProviderFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.keycloak.email.EmailException;
import org.keycloak.email.EmailSenderProvider;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

/**
 * Tells the establishment of an emergency access before the person is let in: an audit record in
 * the Keycloak trail (forwarded to the SIEM at severity alert by the trail's syslog forwarder, which
 * retries on its own), and a mail in French to the configured addresses through the realm's SMTP
 * settings. A mail that cannot be sent never holds the access back: the failure is itself an audit
 * record, counted ({@code hc_emergency_alert_failures_total}) and retried in the background.
 */
final class EmergencyAlerts {

    static final String EVENT_ACCESS = "emergency_access";
    static final String EVENT_ALERT = "emergency_alert";
    static final List<Duration> RETRIES = List.of(Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(10));
    private static final Logger LOG = Logger.getLogger(EmergencyAlerts.class);
    private static final ScheduledExecutorService RETRY = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hc-emergency-mail-retry");
        t.setDaemon(true);
        return t;
    });

    /** What one emergency access (or refusal) is about; also the content of the alert mail. */
    record Access(String realm, String user, String idnat, String displayName, String session, String client,
                  String clientIp, String reason, String reasonLabel, String note, Instant at, Instant until) {
    }

    private EmergencyAlerts() {
    }

    static void recordRefusal(KeycloakSession session, Access access, EmergencyRefusal refusal) {
        audit(session, EVENT_ACCESS, "failure", refusal.eventError(), access, Map.of());
    }

    /** The audit record (durable before this returns), then the mail (one attempt now, retries later). */
    static void alert(KeycloakSession session, RealmModel realm, EmergencySettings settings, Access access) {
        audit(session, EVENT_ACCESS, "success", access.reason(), access, Map.of());
        for (String address : settings.alertAddresses()) {
            try {
                send(session, realm, address, access);
            } catch (EmailException | RuntimeException e) {
                failed(session, access, address, 0, e);
                retry(session.getKeycloakSessionFactory(), realm.getId(), address, access, 0);
            }
        }
    }

    private static void retry(KeycloakSessionFactory factory, String realmId, String address, Access access, int attempt) {
        if (attempt >= RETRIES.size()) {
            LOG.errorf("emergency alert mail for %s to %s abandoned after %d retries", access.user(), address, attempt);
            return;
        }
        RETRY.schedule(() -> KeycloakModelUtils.runJobInTransaction(factory, s -> {
            RealmModel realm = s.realms().getRealm(realmId);
            try {
                send(s, realm, address, access);
                audit(s, EVENT_ALERT, "success", "mail_sent_after_retry", access, Map.of("alert_address", address));
            } catch (EmailException | RuntimeException e) {
                failed(s, access, address, attempt + 1, e);
                retry(factory, realmId, address, access, attempt + 1);
            }
        }), RETRIES.get(attempt).toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void failed(KeycloakSession session, Access access, String address, int attempt, Exception e) {
        LOG.warnf("emergency alert mail to %s failed (attempt %d): %s", address, attempt + 1, e.getMessage());
        failures().increment();
        audit(session, EVENT_ALERT, "failure", "mail_unreachable", access, Map.of("alert_address", address));
    }

    static Counter failures() {
        return Counter.builder("hc_emergency_alert_failures")
                .description("Emergency-access alert mails that could not be sent (each attempt)")
                .tag("channel", "mail").register(Metrics.globalRegistry);
    }

    private static void send(KeycloakSession session, RealmModel realm, String address, Access access)
            throws EmailException {
        Map<String, String> smtp = new HashMap<>(realm.getSmtpConfig());
        // An unreachable server must not hold a clinician for Keycloak's default timeouts.
        smtp.putIfAbsent("connectionTimeout", "3000");
        smtp.putIfAbsent("timeout", "5000");
        smtp.putIfAbsent("writeTimeout", "5000");
        session.getProvider(EmailSenderProvider.class).send(smtp, address, subject(access), body(access), null);
    }

    static String subject(Access access) {
        return "[Bris de glace] Accès d'urgence de " + access.displayName() + " (" + access.reasonLabel() + ")";
    }

    static String body(Access access) {
        return "Un accès d'urgence (bris de glace) vient d'être ouvert.\n\n"
                + "Personne : " + access.displayName() + " (compte " + access.user()
                + (access.idnat() == null ? "" : ", idNat_PS " + access.idnat()) + ")\n"
                + "Motif : " + access.reasonLabel() + " (" + access.reason() + ")\n"
                + "Précision : " + (access.note().isEmpty() ? "(aucune)" : access.note()) + "\n"
                + "Application : " + access.client() + "\n"
                + "Adresse IP : " + access.clientIp() + "\n"
                + "Début : " + access.at() + " (UTC)\n"
                + "Fin au plus tard : " + access.until() + " (UTC)\n"
                + "Session : " + access.session() + "\n\n"
                + "Cet accès doit être revu : hc-audit emergencies, puis hc-audit review.\n";
    }

    private static void audit(KeycloakSession session, String event, String outcome, String reason, Access access,
                              Map<String, String> extra) {
        Map<String, String> details = new HashMap<>(extra);
        details.put("realm", access.realm());
        details.put("client", access.client());
        details.put("emergency_reason", access.reason());
        details.put("emergency_note", access.note());
        if (access.until() != null) {
            details.put("emergency_until", access.until().toString());
        }
        AuditRecord record = new AuditRecord(AuditRecord.timestamp(Instant.now()), "keycloak", event, outcome, reason,
                access.user(), access.idnat(), "eidas1", List.of("pwd"), access.session(), null, null, null, null,
                access.clientIp(), null, details);
        AuditEventListenerProviderFactory audit = (AuditEventListenerProviderFactory) session.getKeycloakSessionFactory()
                .getProviderFactory(EventListenerProvider.class, AuditEventListenerProviderFactory.PROVIDER_ID);
        audit.append(record);
    }
}
