package fr.hcbroker.keycloak.psc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import fr.hcbroker.loa.Level;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PscSettingsTest {

    @Test
    @DisplayName("defaults: production, eidas2 minimum, no FINESS, unknown professionals refused")
    void defaults() {
        PscSettings settings = PscSettings.from(Map.of());
        assertThat(settings.environment()).isEqualTo(PscEnvironment.PRODUCTION);
        assertThat(settings.policy().minimum()).isEqualTo(Level.SUBSTANTIAL);
        assertThat(settings.policy().cardLevel()).isEqualTo(Level.HIGH);
        assertThat(settings.policy().mobileLevel()).isEqualTo(Level.SUBSTANTIAL);
        assertThat(settings.finess()).isEmpty();
        assertThat(settings.createUnknown()).isFalse();
    }

    @Test
    void readsACustomStandIn() {
        PscSettings settings = PscSettings.from(Map.of(PscSettings.ENVIRONMENT, "CUSTOM",
                PscSettings.CUSTOM_ISSUER, "http://localhost:8080/realms/esante-wallet/",
                PscSettings.MINIMUM_LEVEL, "eidas3", PscSettings.FINESS, "750712184, 130781234",
                PscSettings.UNKNOWN_PROFESSIONAL, "create"));
        assertThat(settings.issuer()).isEqualTo("http://localhost:8080/realms/esante-wallet");
        assertThat(settings.policy().minimum()).isEqualTo(Level.HIGH);
        assertThat(settings.finess()).containsExactlyInAnyOrder("750712184", "130781234");
        assertThat(settings.createUnknown()).isTrue();
    }

    @Test
    @DisplayName("an admin may map authMode to other levels, e.g. the e-CPS app counted as eidas1, and the minimum then refuses it")
    void authModeLevelsAreConfigurable() {
        PscSettings settings = PscSettings.from(Map.of(PscSettings.MOBILE_LEVEL, "eidas1", PscSettings.CARD_LEVEL, "eidas2",
                PscSettings.MINIMUM_LEVEL, "eidas2"));
        assertThat(settings.policy().decide("eidas1", "CARD").level()).contains(Level.SUBSTANTIAL);
        assertThat(settings.policy().decide("eidas1", "MOBILE").level()).isEmpty();
    }

    @ParameterizedTest(name = "{0}={1} is refused")
    @CsvSource({"psc.environment, STAGING", "psc.minimum.level, eidas4", "psc.minimum.level, 2",
        "psc.level.card, high", "psc.level.mobile, eidas0",
        "psc.unknown.professional, link-by-email", "psc.environment, CUSTOM"})
    void refusesBadValues(String key, String value) {
        assertThatThrownBy(() -> PscSettings.from(Map.of(key, value))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("production keeps the wallet host whatever the discovery document says; its issuer must match")
    void endpointsFromDiscovery() throws Exception {
        var doc = new ObjectMapper().readTree("""
            {"issuer": "https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet",
             "authorization_endpoint": "https://elsewhere.example/auth",
             "token_endpoint": "https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet/protocol/openid-connect/token",
             "userinfo_endpoint": "https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet/protocol/openid-connect/userinfo",
             "jwks_uri": "https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet/protocol/openid-connect/certs"}
            """);
        PscEndpoints endpoints = PscEndpoints.from(doc, PscSettings.from(Map.of()));
        assertThat(endpoints.authorization()).isEqualTo("https://wallet.esw.esante.gouv.fr/auth");
        assertThat(endpoints.logout())
                .isEqualTo("https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet/protocol/openid-connect/logout");
        assertThatThrownBy(() -> PscEndpoints.from(doc, PscSettings.from(Map.of(PscSettings.ENVIRONMENT, "SANDBOX_BAS"))))
                .isInstanceOf(PscRefusedException.class).hasMessageContaining("names issuer");
    }
}
