package fr.hcbroker.keycloak.emergency;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The cap on emergency accesses per person")
class EmergencyCapTest {

    private static final Instant NOW = Instant.parse("2026-12-07T06:00:00Z");
    private static final Duration MONTH = Duration.ofDays(30);

    @Test
    @DisplayName("counts the uses within the period only")
    void counts() {
        List<String> uses = List.of("2026-10-01T00:00:00Z", "2026-11-20T00:00:00Z", "2026-12-07T05:00:00Z");
        assertThat(EmergencyCap.usesWithin(uses, NOW, MONTH)).isEqualTo(2);
    }

    @Test
    @DisplayName("an unreadable use counts (fail closed) and is kept")
    void unreadable() {
        assertThat(EmergencyCap.usesWithin(List.of("hier"), NOW, MONTH)).isEqualTo(1);
        assertThat(EmergencyCap.withUse(List.of("hier"), NOW, MONTH)).containsExactly("hier", NOW.toString());
    }

    @Test
    @DisplayName("a new use drops the ones past the period")
    void adds() {
        assertThat(EmergencyCap.withUse(List.of("2026-10-01T00:00:00Z", "2026-12-01T00:00:00Z"), NOW, MONTH))
                .containsExactly("2026-12-01T00:00:00Z", NOW.toString());
    }
}
