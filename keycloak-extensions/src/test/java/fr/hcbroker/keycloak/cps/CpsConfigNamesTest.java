package fr.hcbroker.keycloak.cps;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("cps-card setting names")
class CpsConfigNamesTest {

    @Test
    @DisplayName("no current name holds a dot: the admin console's forms would save it under a mangled name")
    void currentNamesHaveNoDot() {
        assertThat(CpsConfig.LEGACY_NAMES.keySet()).hasSize(9).noneMatch(name -> name.contains("."));
    }

    @Test
    @DisplayName("a value stored under its earlier, dotted name is read under the current name")
    void legacyNamesAreReadUnderTheCurrentOnes() {
        Map<String, String> migrated = CpsConfig.migrated(Map.of(
                "cps.ocsp.url", "http://ocsp.example", "cps.create.users", "true", "unrelated", "kept"));
        assertThat(migrated).isEqualTo(Map.of(
                CpsConfig.OCSP_URL, "http://ocsp.example", CpsConfig.CREATE_USERS, "true", "unrelated", "kept"));
        assertThat(CpsConfig.holdsLegacyNames(Map.of("cps.crl.urls", "x"))).isTrue();
        assertThat(CpsConfig.holdsLegacyNames(migrated)).isFalse();
    }

    @Test
    @DisplayName("when both names hold a value, the current one wins and the earlier one is dropped")
    void theCurrentNameWins() {
        assertThat(CpsConfig.migrated(Map.of("cps.revocation.timeout.ms", "9000", CpsConfig.TIMEOUT_MS, "2000")))
                .isEqualTo(Map.of(CpsConfig.TIMEOUT_MS, "2000"));
    }
}
