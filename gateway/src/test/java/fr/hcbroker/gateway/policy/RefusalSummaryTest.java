package fr.hcbroker.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.audit.AuditRecord;
import fr.hcbroker.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Repeated refusals summarised in the audit trail")
class RefusalSummaryTest {

    private Instant now = Instant.parse("2026-12-07T08:00:00Z");
    private final List<DecisionEvent> oneByOne = new ArrayList<>();
    private final List<RefusalSummary.Summary> summaries = new ArrayList<>();
    private final RefusalSummary summary = new RefusalSummary(new DecisionListener() {
        @Override
        public Future<Void> decided(DecisionEvent event) {
            oneByOne.add(event);
            return Future.succeededFuture();
        }

        @Override
        public Future<Void> summarised(RefusalSummary.Summary s) {
            summaries.add(s);
            return Future.succeededFuture();
        }
    }, new GatewayConfig.Refusals(3, Duration.ofSeconds(60)), new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    });

    private static DecisionEvent refused(String client, String reason, String path) {
        return new DecisionEvent(new Decision(Outcome.DENY, reason), null, "GET", path, null, 404, client, null);
    }

    @Test
    void pastTheThresholdTheRestOfTheWindowIsOneSummaryWithItsCountTimesPathsAndReasons() {
        for (int i = 0; i < 1000; i++) {
            now = now.plusMillis(10);
            assertThat(summary.decided(refused("192.0.2.1", "unknown gateway path", "/.hc/x" + i)).succeeded()).isTrue();
        }
        assertThat(oneByOne).hasSize(3);
        summary.flush();
        assertThat(summaries).as("the window has not ended").isEmpty();
        now = now.plusSeconds(60);
        summary.flush();
        assertThat(summaries).hasSize(1);
        RefusalSummary.Summary s = summaries.get(0);
        assertThat(s.clientIp()).isEqualTo("192.0.2.1");
        assertThat(s.count()).as("every refusal is counted: one by one or in the summary").isEqualTo(997);
        assertThat(s.first()).isEqualTo(Instant.parse("2026-12-07T08:00:00.040Z"));
        assertThat(s.last()).isEqualTo(Instant.parse("2026-12-07T08:00:10Z"));
        assertThat(s.samplePaths()).containsExactly("/.hc/x3", "/.hc/x4", "/.hc/x5", "/.hc/x6", "/.hc/x7");
        assertThat(s.reasons()).containsExactly(java.util.Map.entry("deny: unknown gateway path", 997L));
    }

    @Test
    void varyingTheReasonDoesNotEscapeThePerAddressBound() {
        for (int i = 0; i < 500; i++) {
            summary.decided(refused("192.0.2.1", "reason " + i, "/p"));
        }
        assertThat(oneByOne).as("five reasons' worth one by one").hasSize(3 * RefusalSummary.PER_ADDRESS_FACTOR);
        summary.flushAll();
        assertThat(summaries).hasSize(1);
        assertThat(summaries.get(0).count()).isEqualTo(500 - 15);
        assertThat(summaries.get(0).reasons()).hasSize(RefusalSummary.MAX_REASONS).containsKey("other");
        assertThat(summaries.get(0).reasons().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(485);
    }

    @Test
    void anotherAddressIsRecordedOneByOneWhileOneFloods() {
        for (int i = 0; i < 100; i++) {
            summary.decided(refused("192.0.2.1", "no route", "/x"));
        }
        summary.decided(refused("192.0.2.2", "no route", "/x"));
        assertThat(oneByOne).filteredOn(e -> e.clientIp().equals("192.0.2.2")).hasSize(1);
    }

    @Test
    void aNewWindowRecordsOneByOneAgainAndWritesThePreviousSummaryFirst() {
        for (int i = 0; i < 5; i++) {
            summary.decided(refused("192.0.2.1", "no route", "/x"));
        }
        now = now.plusSeconds(61);
        summary.decided(refused("192.0.2.1", "no route", "/y"));
        assertThat(summaries).extracting(RefusalSummary.Summary::count).containsExactly(2L);
        assertThat(oneByOne).hasSize(4);
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource({
            "ALLOW, access granted, 0",
            "ALLOW, login eidas2, 302",
            "ALLOW, logout, 302",
            "STEP_UP, level eidas3 required, 302",
    })
    void accessesLoginsLogoutsAndStepUpsAreNeverSummarised(Outcome outcome, String reason, int status) {
        for (int i = 0; i < 50; i++) {
            summary.decided(new DecisionEvent(new Decision(outcome, reason), "app", "GET", "/a", null, status, "192.0.2.1", null));
        }
        summary.flushAll();
        assertThat(oneByOne).hasSize(50);
        assertThat(summaries).isEmpty();
    }

    @Test
    void theSummaryRecordCarriesItsCountsAndCleansItsSamplePaths() {
        AuditRecord record = AuditTrail.record(new RefusalSummary.Summary("192.0.2.1", 42,
                Instant.parse("2026-12-07T08:00:00Z"), Instant.parse("2026-12-07T08:00:59Z"),
                List.of("/reset?token=secret", "/a;jsessionid=abc"), java.util.Map.of("deny: no route", 42L)));
        assertThat(record.event()).isEqualTo(AuditTrail.SUMMARY_EVENT);
        assertThat(record.outcome()).isEqualTo("deny");
        assertThat(record.clientIp()).isEqualTo("192.0.2.1");
        assertThat(record.details()).containsEntry("count", "42").containsEntry("first", "2026-12-07T08:00:00.000Z")
                .containsEntry("last", "2026-12-07T08:00:59.000Z").containsEntry("reasons", "deny: no route x42");
        assertThat(record.details().get("sample_paths")).doesNotContain("secret", "abc").startsWith("/reset");
    }
}
