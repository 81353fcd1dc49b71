package fr.hcbroker.audit.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.hcbroker.audit.AuditCommand;
import fr.hcbroker.audit.AuditRecord;
import fr.hcbroker.audit.CheckpointKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The report's emergency figures over trails as the emergency feature writes them: Keycloak's
 * {@code emergency_access} and {@code emergency_alert} records (the shape EmergencyAlerts gives them,
 * through the real writer), the login the emergency step marks with its reason, and reviews recorded by
 * the real {@code audit review} command (dated today, after the period: they still count).
 */
@DisplayName("The compliance report's emergency figures")
class EmergencyCountTest {

    static final LocalDate FROM = LocalDate.parse("2026-11-01");
    static final LocalDate TO = LocalDate.parse("2026-11-30");

    @TempDir
    Path dir;

    @Test
    void countsAccessesReviewsReasonsRefusalsAndTheEmergencyMeans() throws Exception {
        Trails.write(dir, "keycloak", "2026-11-25", List.of(
                emergency("2026-10-30T08:00:00.000Z", "success", "urgence-vitale", "ivan", "e0"),
                emergency("2026-11-25T08:00:00.000Z", "success", "urgence-vitale", "gina", "e1"),
                login("2026-11-25T08:00:01.000Z", "gina", "e1", "urgence-vitale"),
                alert("2026-11-25T08:00:02.000Z", "failure", "mail_unreachable", "gina", "e1"),
                alert("2026-11-25T08:00:12.000Z", "success", "mail_sent_after_retry", "gina", "e1"),
                emergency("2026-11-25T09:00:00.000Z", "success", "panne-carte", "hugo", "e2"),
                login("2026-11-25T09:00:01.000Z", "hugo", "e2", "panne-carte"),
                emergency("2026-11-25T09:30:00.000Z", "failure", "emergency_cap_reached", "hugo", "e3"),
                emergency("2026-11-25T09:31:00.000Z", "failure", "emergency_reason_invalid", "hugo", "e4"),
                emergency("2026-11-26T07:00:00.000Z", "success", "urgence-vitale", "jade", "e5"),
                login("2026-11-26T07:00:01.000Z", "jade", "e5", "urgence-vitale"),
                Trails.keycloak("2026-11-26T07:10:00.000Z", "login", "success", "jade", "eidas2",
                        List.of("pwd", "otp", "mfa"), "dpi", null)));
        // Verdicts by the real command, into the review trail beside: e1 and e5 reviewed, e0 (before the
        // period) and a session never granted reviewed too, which count nothing.
        review("e1", "justified");
        review("e5", "unjustified");
        review("e0", "justified");
        review("never-granted", "justified");

        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString().replaceAll("-\\d{4}-\\d{2}-\\d{2}", ""))
                .containsExactly("keycloak.jsonl", "review.jsonl");
        ComplianceReport r = ComplianceReport.build(files, CheckpointKeys.loadPublic(dir.resolve(CheckpointKeys.PUBLIC)),
                FROM, TO, RealmFacts.NONE, Instant.parse("2026-12-01T08:00:00Z"));

        assertThat(r.intact()).isTrue();
        assertThat(r.emergencyAccesses()).isEqualTo(3);
        assertThat(r.emergencyReviews()).isEqualTo(2);
        assertThat(r.emergencyAwaitingReview()).isEqualTo(1);
        assertThat(r.emergencyByReason()).isEqualTo(Map.of("urgence-vitale", 2L, "panne-carte", 1L));
        assertThat(r.emergencyVerdicts()).isEqualTo(Map.of("justified", 1L, "unjustified", 1L));
        assertThat(r.emergencyRefusals()).isEqualTo(Map.of("emergency_cap_reached", 1L, "emergency_reason_invalid", 1L));

        ComplianceReport.AppRow dpi = ComplianceReportTest.app(r, "client", "dpi");
        assertThat(dpi.accesses()).as("the logins, not the emergency_access records beside them").isEqualTo(4);
        assertThat(dpi.meansAccesses()).containsEntry(Means.EMERGENCY, 3L).containsEntry(Means.PASSWORD_TOTP, 1L)
                .containsEntry(Means.PASSWORD, 0L);
        assertThat(dpi.meansPeople()).containsEntry(Means.EMERGENCY, 3);
        assertThat(dpi.levelAccesses()).containsExactly(0, 3, 1, 0);
        assertThat(r.passwordAlone()).as("an emergency login is not a password-alone login").isEmpty();

        JsonNode json = new ObjectMapper().readTree(ReportJson.render(r));
        assertThat(json.at("/emergency/accesses").asLong()).isEqualTo(3);
        assertThat(json.at("/emergency/reviewed").asLong()).isEqualTo(2);
        assertThat(json.at("/emergency/awaitingReview").asLong()).isEqualTo(1);
        assertThat(json.at("/emergency/byReason/urgence-vitale").asLong()).isEqualTo(2);
        assertThat(json.at("/emergency/byVerdict/unjustified").asLong()).isEqualTo(1);
        assertThat(json.at("/emergency/refused/emergency_cap_reached").asLong()).isEqualTo(1);
        assertThat(ReportCsv.render(r)).contains("emergency,,,accesses,,3,\r\n", "emergency,,,reviewed,,2,\r\n",
                "emergency,,,awaiting_review,,1,\r\n", "emergency,,,reason,panne-carte,1,\r\n",
                "emergency,,,verdict,justified,1,\r\n", "emergency,,,refused,emergency_reason_invalid,1,\r\n",
                "app,client,dpi,means,emergency,3,3\r\n");
        assertThat(ReportHtml.render(r, Lang.FR)).contains("<dt>En attente de revue</dt><dd>1</dd>",
                "<dt>Motif urgence-vitale</dt><dd>2</dd>");
    }

    @Test
    void aReviewFromAnotherSourceIsNotAReview() throws Exception {
        Trails.write(dir, "keycloak", "2026-11-25", List.of(
                emergency("2026-11-25T08:00:00.000Z", "success", "urgence-vitale", "gina", "e1"),
                // Only `audit review` writes reviews (source review): one in Keycloak's trail is not one.
                new AuditRecord("2026-11-25T08:05:00.000Z", "keycloak", "emergency_review", "justified", null, "gina",
                        null, null, List.of(), null, null, null, null, null, null, null,
                        Map.of("review_of", "e1", "review_verdict", "justified"))));
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".jsonl")).toList();
        }
        ComplianceReport r = ComplianceReport.build(files, CheckpointKeys.loadPublic(dir.resolve(CheckpointKeys.PUBLIC)),
                FROM, TO, RealmFacts.NONE, Instant.parse("2026-12-01T08:00:00Z"));
        assertThat(r.emergencyAccesses()).isEqualTo(1);
        assertThat(r.emergencyReviews()).isZero();
        assertThat(r.emergencyAwaitingReview()).isEqualTo(1);
    }

    /** As EmergencyAlerts.audit writes it. */
    static AuditRecord emergency(String ts, String outcome, String reason, String user, String session) {
        return new AuditRecord(ts, "keycloak", "emergency_access", outcome, reason, user, null, "eidas1", List.of("pwd"),
                session, null, null, null, null, "10.0.0.3", null, Map.of("realm", "hospiconnect", "client", "dpi",
                "emergency_reason", outcome.equals("success") ? reason : "urgence-vitale", "emergency_note", "box 3",
                "emergency_until", "2026-11-25T12:00:00Z"));
    }

    static AuditRecord alert(String ts, String outcome, String reason, String user, String session) {
        return new AuditRecord(ts, "keycloak", "emergency_alert", outcome, reason, user, null, "eidas1", List.of("pwd"),
                session, null, null, null, null, "10.0.0.3", null, Map.of("realm", "hospiconnect", "client", "dpi",
                "emergency_reason", "urgence-vitale", "alert_address", "rssi@example.org"));
    }

    /** Keycloak's login event of an emergency session, with the details the emergency step adds to it. */
    static AuditRecord login(String ts, String user, String session, String reason) {
        Map<String, String> details = new HashMap<>(Map.of("realm", "hospiconnect", "client", "dpi",
                "emergency_reason", reason, "emergency_until", "2026-11-25T12:00:00Z"));
        return new AuditRecord(ts, "keycloak", "login", "success", null, user, null, "eidas1", List.of("pwd"), session,
                null, null, null, null, "10.0.0.3", null, details);
    }

    private void review(String session, String verdict) {
        PrintStream saved = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(new AuditCommand()).execute("review", "--session", session, "--verdict", verdict,
                    "--comment", "vu", "--reviewer", "rssi", dir.toString())).isZero();
        } finally {
            System.setOut(saved);
        }
    }
}
