package fr.hcbroker.keycloak.psc;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.loa.Amr;
import fr.hcbroker.loa.Level;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PscLevelPolicyTest {

    private final PscLevelPolicy policy = PscLevelPolicy.DEFAULT;

    @Test
    @DisplayName("CARD gives eidas3 with sc, pin, mfa whatever acr PSC sent")
    void cardIsHigh() {
        PscLevelDecision d = policy.decide("eidas1", "CARD");
        assertThat(d.level()).contains(Level.HIGH);
        assertThat(d.amr()).containsExactly(Amr.SC, Amr.PIN, Amr.MFA);
    }

    @Test
    @DisplayName("MOBILE gives eidas2 with swk, pin, mfa")
    void mobileIsSubstantial() {
        PscLevelDecision d = policy.decide("eidas1", "MOBILE");
        assertThat(d.level()).contains(Level.SUBSTANTIAL);
        assertThat(d.amr()).containsExactly(Amr.SWK, Amr.PIN, Amr.MFA);
    }

    @ParameterizedTest(name = "acr={0} authMode={1} is refused")
    @CsvSource(nullValues = "NULL", value = {
        "eidas4, CARD", "EIDAS2, CARD", "eidas2, PASSWORD", "eidas3, card", "eidas1, NULL", "NULL, NULL", "'', ''"})
    void refusesMissingUnknownOrTooLow(String acr, String authMode) {
        assertThat(policy.decide(acr, authMode).accepted()).isFalse();
    }

    @Test
    @DisplayName("an admin minimum of eidas3 refuses a MOBILE login")
    void minimumIsConfigurable() {
        PscLevelPolicy strict = new PscLevelPolicy(Level.HIGH, PscLevelPolicy.DEFAULT_AUTH_MODES);
        assertThat(strict.decide("eidas2", "MOBILE").accepted()).isFalse();
        assertThat(strict.decide("eidas2", "CARD").level()).contains(Level.HIGH);
    }

    @Test
    @DisplayName("without authMode the acr itself is the level")
    void acrAloneWhenNoAuthMode() {
        assertThat(policy.decide("eidas3", null).level()).contains(Level.HIGH);
        assertThat(policy.decide("eidas2", null).amr()).isEqualTo(List.of(Amr.SWK, Amr.PIN, Amr.MFA));
    }

    @Test
    @DisplayName("a missing acr counts as eidas1, as ANS's connector reads it: the authMode then decides")
    void missingAcrIsEidas1() {
        assertThat(policy.decide(null, "CARD").level()).contains(Level.HIGH);
        assertThat(policy.decide("", "MOBILE").level()).contains(Level.SUBSTANTIAL);
        assertThat(policy.decide(null, null).reason()).contains("eidas1").contains("no authMode");
    }

    @Test
    @DisplayName("an unknown authMode is refused with the value named (bounded, control characters escaped)")
    void unknownAuthModeIsNamed() {
        assertThat(policy.decide("eidas1", "APP_ECPS").reason()).contains("\"APP_ECPS\"");
        assertThat(policy.decide("eidas1", "X\nforged log line").reason()).contains("X\\u000aforged").doesNotContain("\n");
        assertThat(policy.decide("eidas1", "A".repeat(500)).reason().length()).isLessThan(200);
    }
}
