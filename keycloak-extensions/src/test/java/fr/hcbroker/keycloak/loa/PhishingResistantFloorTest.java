package fr.hcbroker.keycloak.loa;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("the phishing-resistant floor a client can demand")
class PhishingResistantFloorTest {

    private static List<String> amr(String values) {
        return values.isBlank() ? List.of() : Arrays.asList(values.split(" "));
    }

    @Nested
    @DisplayName("with the default methods (security key hwk, card sc)")
    class DefaultMethods {

        private final PhishingResistantFloor floor = PhishingResistantFloor.parse(null);

        @ParameterizedTest(name = "[{0}] met: {1}")
        @CsvSource({
                "'pwd otp mfa', false",
                "'pwd hwk mfa', true",
                "'sc pin mfa', true",
                "'swk pin mfa', false",
                "'pwd otp sc mfa', true",
                "'pwd', false",
                "'', false",
                "'HWK', false"})
        void passwordAndTotpOrTheAppFallShortAKeyOrACardMeetsIt(String proven, boolean met) {
            assertThat(floor.metBy(amr(proven))).isEqualTo(met);
        }
    }

    @ParameterizedTest(name = "realm attribute [{0}] -> {1}")
    @CsvSource(nullValues = "NULL", value = {
            "NULL, 'hwk sc'",
            "'', 'hwk sc'",
            "'  ', 'hwk sc'",
            "' , ', 'hwk sc'",
            "'sc', 'sc'",
            "'hwk, sc swk', 'hwk sc swk'"})
    void anUnsetOrEmptyListIsTheDefaultNeverAnEmptyOne(String attribute, String methods) {
        assertThat(PhishingResistantFloor.parse(attribute).methods()).containsExactlyInAnyOrderElementsOf(amr(methods));
    }

    @Test
    void aRealmThatCountsOnlyTheCardRefusesTheKey() {
        PhishingResistantFloor cardOnly = PhishingResistantFloor.parse("sc");
        assertThat(cardOnly.metBy(amr("pwd hwk mfa"))).isFalse();
        assertThat(cardOnly.metBy(amr("sc pin mfa"))).isTrue();
    }
}
