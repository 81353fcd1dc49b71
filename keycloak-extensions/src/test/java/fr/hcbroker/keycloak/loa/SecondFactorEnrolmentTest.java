package fr.hcbroker.keycloak.loa;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("the enrolment window an admin opens (hc_enrolment_until)")
class SecondFactorEnrolmentTest {

    private static final Instant NOW = Instant.parse("2026-09-30T12:00:00Z");

    @ParameterizedTest(name = "[{0}] open: {1}")
    @CsvSource(nullValues = "NULL", value = {
            "2026-09-30T18:00:00Z, true",
            "' 2026-09-30T12:00:01Z ', true",
            "2026-09-30T12:00:00.001Z, true",
            "2026-09-30T12:00:00Z, false",
            "2026-09-30T11:59:59Z, false",
            "NULL, false",
            "'', false",
            "1790000000, false",
            "2026-09-30, false",
            "2026-09-30T18:00:00, false",
            "tomorrow, false"})
    void isOpenOnlyStrictlyBeforeAReadableInstant(String until, boolean open) {
        assertThat(SecondFactorEnrolment.windowOpen(until, NOW)).isEqualTo(open);
    }
}
