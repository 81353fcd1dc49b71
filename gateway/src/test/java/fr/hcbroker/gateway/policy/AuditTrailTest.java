package fr.hcbroker.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.hcbroker.audit.AuditWriter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The gateway's audit trail, gathering allowed requests per event loop")
class AuditTrailTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    /** An allowed request the app answered 200 in 1.5 ms. */
    private static DecisionEvent allowed(int i) {
        return new DecisionEvent(new Decision(Outcome.ALLOW, "public path"), "app", "GET", "/page/" + i, null, 200,
                "127.0.0.1", "gw." + i, null, 1_500_000);
    }

    private static DecisionEvent denied(int i) {
        return new DecisionEvent(new Decision(Outcome.DENY, "missing role"), "app", "GET", "/page/" + i, null, 403,
                "127.0.0.1", null);
    }

    /** Runs {@code decisions} on one event loop, in order; the future of the last one. */
    private Future<Void> onOneLoop(AuditTrail trail, List<DecisionEvent> decisions) {
        Context loop = vertx.getOrCreateContext();
        Promise<Void> last = Promise.promise();
        loop.runOnContext(v -> {
            Future<Void> result = Future.succeededFuture();
            for (DecisionEvent decision : decisions) {
                result = trail.decided(decision);
            }
            result.onComplete(last);
        });
        return last.future();
    }

    private List<String> paths() throws IOException {
        List<String> paths = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
                for (String line : Files.readAllLines(file)) {
                    JsonNode record = JSON.readTree(line);
                    paths.add(record.path("path").asText());
                }
            }
        }
        return paths;
    }

    @Test
    @DisplayName("allowed requests reach the disk within the window, without anyone waiting for them")
    void withinTheWindow() throws Exception {
        try (AuditWriter writer = new AuditWriter(dir, "gateway", Duration.ofMillis(20), 10_000, Duration.ofSeconds(1),
                Clock.systemUTC())) {
            AuditTrail trail = new AuditTrail(vertx, writer, Duration.ofMillis(20));
            List<DecisionEvent> decisions = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                decisions.add(allowed(i));
            }
            onOneLoop(trail, decisions).await();
            long deadline = System.currentTimeMillis() + 2_000;
            while (paths().size() < 100 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertThat(paths()).hasSize(100).startsWith("/page/0").endsWith("/page/99");
        }
    }

    @Test
    @DisplayName("a denial goes to disk after the allowed requests its loop decided before it, and is durable when answered")
    void aDenialKeepsItsLoopsOrder() throws Exception {
        try (AuditWriter writer = new AuditWriter(dir, "gateway", Duration.ofMillis(5), 10_000, Duration.ofSeconds(1),
                Clock.systemUTC())) {
            // A gathering window far longer than the test: only the denial can make them leave the loop.
            AuditTrail trail = new AuditTrail(vertx, writer, Duration.ofHours(1));
            onOneLoop(trail, List.of(allowed(1), allowed(2), denied(3))).await();
            assertThat(paths()).containsExactly("/page/1", "/page/2", "/page/3");
        }
    }

    @Test
    @DisplayName("an access's record carries the gateway's request id, the app's status and how long it took; the incoming X-Request-Id apart")
    void anAccessRecordSaysWhatTheAppAnswered() throws Exception {
        DecisionEvent relayed = new DecisionEvent(new Decision(Outcome.ALLOW, "policy satisfied"), "app", "POST", "/form",
                null, 201, "127.0.0.1", "gw.7", "browser-says-7", 12_345_678);
        var record = AuditTrail.record(relayed, java.time.Instant.now());
        assertThat(record.event()).isEqualTo("access");
        assertThat(record.requestId()).isEqualTo("gw.7");
        assertThat(record.status()).isEqualTo(201);
        assertThat(record.details()).containsEntry("duration_ms", "12.345").containsEntry("client_request_id", "browser-says-7");
        assertThat(relayed.urgent()).as("an app's answer does not wait for its record").isFalse();
        // The browser left before the app answered: no status, still the duration and the id.
        var left = AuditTrail.record(new DecisionEvent(new Decision(Outcome.ALLOW, "browser left before the app answered"),
                "app", "GET", "/slow", null, 0, "127.0.0.1", "gw.8", null, 2_000), java.time.Instant.now());
        assertThat(left.status()).isNull();
        assertThat(left.details()).containsOnlyKeys("duration_ms").containsEntry("duration_ms", "0.002");
        // A denial is the gateway's own answer: urgent, no duration.
        DecisionEvent refused = new DecisionEvent(new Decision(Outcome.DENY, "missing role"), "app", "GET", "/x", null, 403,
                "127.0.0.1", "gw.9", null, DecisionEvent.ANSWERED_BY_GATEWAY);
        assertThat(refused.urgent()).isTrue();
        assertThat(AuditTrail.record(refused, java.time.Instant.now()).details()).isEmpty();
    }

    @Test
    @DisplayName("at shutdown, what the loops still gather is handed to the writer and written")
    void handedOverAtShutdown() throws Exception {
        try (AuditWriter writer = new AuditWriter(dir, "gateway", Duration.ofMillis(5), 10_000, Duration.ofSeconds(1),
                Clock.systemUTC())) {
            AuditTrail trail = new AuditTrail(vertx, writer, Duration.ofHours(1));
            onOneLoop(trail, List.of(allowed(1), allowed(2))).await();
            onOneLoop(trail, List.of(allowed(3))).await();
            assertThat(paths()).isEmpty();
            trail.close();
        }
        assertThat(paths()).containsExactlyInAnyOrder("/page/1", "/page/2", "/page/3");
    }

    @Test
    @DisplayName("a request of an emergency session says so in its record, with its Keycloak session; an ordinary one does not")
    void anEmergencySessionsRecordSaysSo() {
        fr.hcbroker.gateway.session.Session ordinary = new fr.hcbroker.gateway.session.Session("corr", "sub", "sid",
                "inf.lefevre", null, "H", "L", null, List.of("60"), List.of(), java.util.Set.of(),
                fr.hcbroker.loa.Level.SUBSTANTIAL, List.of("pwd", "otp"), 0);
        fr.hcbroker.gateway.session.Session emergency = new fr.hcbroker.gateway.session.Session("corr", "sub", "sid",
                "inf.lefevre", null, "H", "L", null, List.of("60"), List.of(), java.util.Set.of(),
                fr.hcbroker.loa.Level.LOW, List.of("pwd"), 0, (String) null, 0,
                new fr.hcbroker.gateway.session.Session.Emergency("urgence-vitale", 1_800_000_000L));
        Decision allow = new Decision(Outcome.ALLOW, "policy satisfied");
        var access = AuditTrail.record(new DecisionEvent(allow, "dpi", "GET", "/dpi", emergency, 0, "10.0.0.1", null),
                java.time.Instant.now());
        assertThat(access.details()).containsOnly(java.util.Map.entry("emergency_reason", "urgence-vitale"),
                java.util.Map.entry("emergency_session", "sid"));
        assertThat(access.session()).as("the gateway's own id stays in session").isEqualTo("corr");
        assertThat(access.loa()).isEqualTo("eidas1");
        assertThat(AuditTrail.record(new DecisionEvent(allow, "dpi", "GET", "/dpi", ordinary, 0, "10.0.0.1", null),
                java.time.Instant.now()).details()).isEmpty();
    }
}
