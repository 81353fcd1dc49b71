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
        assertThat(settings.policy().authModeLevels()).isEqualTo(Map.of("CARD", Level.HIGH, "MOBILE", Level.SUBSTANTIAL));
        assertThat(settings.finess()).isEmpty();
        assertThat(settings.createUnknown()).isFalse();
    }

    @Test
    void readsACustomStandIn() {
        PscSettings settings = PscSettings.from(Map.of(PscSettings.ENVIRONMENT, "CUSTOM",
                PscSettings.CUSTOM_ISSUER, "http://localhost:8080/realms/esante-wallet/",
                PscSettings.MINIMUM_LEVEL, "eidas3", PscSettings.FINESS, "750712184, 130781234",
                PscSettings.CREATE_ACCOUNTS, "true"));
        assertThat(settings.issuer()).isEqualTo("http://localhost:8080/realms/esante-wallet");
        assertThat(settings.policy().minimum()).isEqualTo(Level.HIGH);
        assertThat(settings.finess()).containsExactlyInAnyOrder("750712184", "130781234");
        assertThat(settings.createUnknown()).isTrue();
    }

    @Test
    @DisplayName("an admin may map authMode to other levels, e.g. the e-CPS app counted as eidas1, and the minimum then refuses it")
    void authModeLevelsAreConfigurable() {
        PscSettings settings = PscSettings.from(Map.of(PscSettings.AUTH_MODE_LEVELS, "MOBILE=eidas1, CARD=eidas2,\nECPS=eidas2",
                PscSettings.MINIMUM_LEVEL, "eidas2"));
        assertThat(settings.policy().decide("eidas1", "CARD").level()).contains(Level.SUBSTANTIAL);
        assertThat(settings.policy().decide("eidas1", "MOBILE").level()).isEmpty();
        assertThat(settings.policy().decide(null, "ECPS").level()).contains(Level.SUBSTANTIAL);
    }

    @Test
    @DisplayName("former psc.* names still read: renamed, the current name winning; former card/mobile levels become the mapping")
    void legacyNamesAreMigrated() {
        Map<String, String> legacy = Map.of("psc.environment", "CUSTOM", "psc.custom.issuer", "http://localhost:1/realms/x",
                "psc.minimum.level", "eidas3", "psc.finess", "750712184", "psc.unknown.professional", "create",
                "psc.level.mobile", "eidas3", "clientId", "kept");
        assertThat(PscSettings.needsMigration(legacy)).isTrue();
        Map<String, String> migrated = PscSettings.migrate(legacy);
        assertThat(migrated).containsEntry(PscSettings.ENVIRONMENT, "Test").containsEntry(PscSettings.FINESS, "750712184")
                .containsEntry(PscSettings.AUTH_MODE_LEVELS, "CARD=eidas3,MOBILE=eidas3").containsEntry("clientId", "kept")
                .doesNotContainKeys(legacy.keySet().stream().filter(k -> k.startsWith("psc.")).toArray(String[]::new));
        assertThat(PscSettings.needsMigration(migrated)).isFalse();
        PscSettings settings = PscSettings.from(legacy);
        assertThat(settings.policy().minimum()).isEqualTo(Level.HIGH);
        assertThat(settings.createUnknown()).isTrue();
        assertThat(settings.policy().decide(null, "MOBILE").level()).contains(Level.HIGH);
        assertThat(PscSettings.migrate(Map.of("psc.finess", "old", PscSettings.FINESS, "new"))).containsEntry(PscSettings.FINESS, "new");
    }

    @Test
    @DisplayName("the console's choices are the stored values: Production, BAS, Test; the former enum names still read and are rewritten")
    void environmentLabels() {
        assertThat(PscSettings.from(Map.of(PscSettings.ENVIRONMENT, "BAS")).environment()).isEqualTo(PscEnvironment.SANDBOX_BAS);
        assertThat(PscSettings.from(Map.of(PscSettings.ENVIRONMENT, "Production")).environment()).isEqualTo(PscEnvironment.PRODUCTION);
        assertThat(PscSettings.from(Map.of(PscSettings.ENVIRONMENT, "Test", PscSettings.CUSTOM_ISSUER, "http://localhost:1/realms/x"))
                .environment()).isEqualTo(PscEnvironment.CUSTOM);
        Map<String, String> former = Map.of(PscSettings.ENVIRONMENT, "SANDBOX_BAS", "pscUnknownProfessional", "create");
        assertThat(PscSettings.needsMigration(former)).isTrue();
        assertThat(PscSettings.migrate(former)).containsEntry(PscSettings.ENVIRONMENT, "BAS")
                .containsEntry(PscSettings.CREATE_ACCOUNTS, "true").doesNotContainKey("pscUnknownProfessional");
        assertThat(PscSettings.migrate(Map.of("psc.unknown.professional", "refuse"))).containsEntry(PscSettings.CREATE_ACCOUNTS, "false");
        assertThat(PscSettings.needsMigration(Map.of(PscSettings.ENVIRONMENT, "BAS", PscSettings.CREATE_ACCOUNTS, "true"))).isFalse();
        assertThat(PscSettings.from(former).createUnknown()).isTrue();
    }

    @ParameterizedTest(name = "{0}={1} is refused")
    @CsvSource(delimiter = '|', value = {"pscEnvironment| STAGING", "pscMinimumLevel| eidas4", "pscMinimumLevel| 2",
        "psc.level.card| high", "psc.level.mobile| eidas0", "pscAuthModeLevels| CARD", "pscAuthModeLevels| CARD=high",
        "pscAuthModeLevels| =eidas2", "pscAuthModeLevels| CARD=eidas3,CARD=eidas2", "pscAuthModeLevels| ,",
        "pscAuthModeLevels| C A R D=eidas3", "pscUnknownProfessional| link-by-email", "pscCreateAccounts| yes",
        "pscCreateAccounts| TRUE ", "pscCreateAccounts| link-by-email", "pscEnvironment| Sandbox", "pscEnvironment| B A S", "pscEnvironment| CUSTOM",
        "psc.environment| STAGING", "pscFiness| ${HC_PSC_FINESS}", "pscFiness| 75071218", "pscFiness| 7507121840",
        "pscFiness| 750712184;drop", "pscFiness| 3A0000001"})
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

    private static PscIdentityProviderConfig provider(boolean enabled, Map<String, String> config) {
        PscIdentityProviderConfig provider = new PscIdentityProviderConfig();
        provider.setEnabled(enabled);
        provider.setClientId("client");
        provider.getConfig().putAll(config);
        return provider;
    }

    @Test
    @DisplayName("an enabled provider needs an explicitly chosen environment, and the refusal says why; a disabled one may wait")
    void environmentMustBeChosenBeforeEnabling() {
        assertThatThrownBy(() -> provider(true, Map.of(PscSettings.FINESS, "750712184")).validate(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("choose the environment")
                .hasMessageContaining("before enabling");
        provider(false, Map.of()).validate(null);
        provider(true, Map.of(PscSettings.ENVIRONMENT, "SANDBOX_BAS")).validate(null);
    }

    @Test
    @DisplayName("saving or importing a provider that holds the former psc.* names rewrites them to the current ones")
    void validateRewritesLegacyNames() {
        PscIdentityProviderConfig provider = provider(true, Map.of("psc.environment", "SANDBOX_BAS",
                "psc.finess", "750712184, 2A0000001", "psc.level.card", "eidas2"));
        provider.validate(null);
        assertThat(provider.getConfig()).containsEntry(PscSettings.ENVIRONMENT, "BAS")
                .containsEntry(PscSettings.FINESS, "750712184, 2A0000001")
                .containsEntry(PscSettings.AUTH_MODE_LEVELS, "CARD=eidas2,MOBILE=eidas2")
                .containsEntry("clientId", "client")
                .doesNotContainKeys("psc.environment", "psc.finess", "psc.level.card");
    }
}
