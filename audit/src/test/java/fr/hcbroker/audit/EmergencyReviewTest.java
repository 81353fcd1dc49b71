package fr.hcbroker.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

@DisplayName("The review of emergency accesses")
class EmergencyReviewTest {

    @TempDir
    Path dir;

    private static final Instant START = Instant.parse("2026-12-07T03:00:00Z");

    private static AuditRecord record(Instant at, String event, String outcome, String reason, String session,
                                      Map<String, String> details) {
        return new AuditRecord(AuditRecord.timestamp(at), "keycloak", event, outcome, reason, "dr.urgence",
                "899700000013", "eidas1", List.of("pwd"), session, null, null, null, null, "10.0.0.1", null, details);
    }

    private void keycloakTrail() {
        try (AuditWriter writer = new AuditWriter(dir, "keycloak", Duration.ZERO, 100, Duration.ofSeconds(1), Clock.systemUTC())) {
            writer.append(record(START, "emergency_access", "success", "urgence-vitale", "s1",
                    Map.of("emergency_reason", "urgence-vitale", "emergency_note", "box 3", "client", "dpi",
                            "emergency_until", START.plus(Duration.ofHours(4)).toString())), true).join();
            writer.append(record(START.plusSeconds(1), "login", "success", null, "s1", Map.of("client", "dpi")), true).join();
            writer.append(record(START.plusSeconds(2), "code_to_token", "success", null, "s1", Map.of("client", "dpi")), true).join();
            writer.append(record(START.plusSeconds(600), "logout", "success", null, "s1", Map.of()), true).join();
            writer.append(record(START.plusSeconds(700), "emergency_access", "failure", "emergency_cap_reached", "s2",
                    Map.of("emergency_reason", "urgence-vitale")), true).join();
        }
    }

    /** The gateway's records of that session: its own session id, the Keycloak one in a detail. */
    private void gatewayTrail() {
        try (AuditWriter writer = new AuditWriter(dir, "gateway", Duration.ZERO, 100, Duration.ofSeconds(1), Clock.systemUTC())) {
            writer.append(gateway(START.plusSeconds(3), "allow", "emergency-dpi", Map.of("emergency_reason", "urgence-vitale",
                    "emergency_session", "s1")), true).join();
            writer.append(gateway(START.plusSeconds(4), "deny", "billing", Map.of("emergency_reason", "urgence-vitale",
                    "emergency_session", "s1")), true).join();
            writer.append(gateway(START.plusSeconds(5), "allow", "ordinary", Map.of()), true).join();
            writer.append(gateway(START.plusSeconds(6), "allow", null, Map.of("emergency_reason", "urgence-vitale",
                    "emergency_session", "s1")), true).join();
        }
    }

    private static AuditRecord gateway(Instant at, String outcome, String route, Map<String, String> details) {
        return new AuditRecord(AuditRecord.timestamp(at), "gateway", "access", outcome, null, "dr.urgence",
                "899700000013", "eidas1", List.of("pwd"), "gw-7f3a", route, "GET", "/", 200, "10.0.0.1", "r1", details);
    }

    private static String run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(new AuditCommand()).execute(args)).as(String.join(" ", args)).isZero();
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private Path[] trails() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toArray(Path[]::new);
        }
    }

    private String[] args(String command, Path... files) {
        return Stream.concat(Stream.of(command), Stream.of(files).map(Path::toString)).toArray(String[]::new);
    }

    @Test
    @DisplayName("lists granted accesses with who, when, reason, apps and gateway routes reached, duration; a review then shows")
    void listsThenReviews() throws Exception {
        keycloakTrail();
        gatewayTrail();
        String before = run(args("emergencies", trails()));
        assertThat(before.lines().skip(1).toList()).containsExactly(String.join("\t", "2026-12-07T03:00:00.000Z",
                "dr.urgence", "899700000013", "urgence-vitale", "box 3", "dpi,route:emergency-dpi", "PT10M", "s1",
                "not reviewed", "", ""));

        assertThat(run("review", "--session", "s1", "--verdict", "justified", "--comment", "Arrêt cardiaque\nconfirmé",
                "--reviewer", "rssi", dir.toString())).contains("recorded");
        String after = run(args("emergencies", trails()));
        assertThat(after.lines().skip(1).toList()).singleElement().asString()
                .endsWith("\ts1\tjustified\tArrêt cardiaque confirmé\trssi");
        String[] unreviewed = Stream.concat(Stream.of("emergencies", "--unreviewed"),
                Stream.of(trails()).map(Path::toString)).toArray(String[]::new);
        assertThat(run(unreviewed).lines().skip(1)).isEmpty();

        Path review;
        try (Stream<Path> files = Files.list(dir)) {
            review = files.filter(p -> p.getFileName().toString().startsWith("review-")
                    && p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        }
        AuditVerifier.Result verdict = AuditVerifier.verify(List.of(review),
                CheckpointKeys.loadPublic(dir.resolve(CheckpointKeys.PUBLIC)));
        assertThat(verdict.ok()).as(verdict.message()).isTrue();
        assertThat(verdict.proven()).as(verdict.message()).isTrue();
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', value = {"maybe|fine", "JUSTIFIED|fine", "justified|' '"})
    @DisplayName("a verdict or comment outside the rules writes nothing")
    void refusesBadReviews(String verdict, String comment) throws Exception {
        int status = new CommandLine(new AuditCommand()).execute("review", "--session", "s1", "--verdict", verdict,
                "--comment", comment, "--reviewer", "rssi", dir.toString());
        assertThat(status).isEqualTo(2);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".jsonl"))).isEmpty();
        }
    }
}
