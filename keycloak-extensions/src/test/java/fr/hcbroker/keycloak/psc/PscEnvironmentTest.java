package fr.hcbroker.keycloak.psc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class PscEnvironmentTest {

    @Test
    void productionUsesTheWalletHostAndWalletDiscoveryPath() {
        assertThat(PscEnvironment.PRODUCTION.discoveryUrl(null))
            .isEqualTo("https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet/.well-known/wallet-openid-configuration");
        assertThat(PscEnvironment.PRODUCTION.authorizationEndpoint(null)).isEqualTo("https://wallet.esw.esante.gouv.fr/auth");
        assertThat(PscEnvironment.SANDBOX_BAS.authorizationEndpoint(null)).isEqualTo("https://wallet.bas.psc.esante.gouv.fr/auth");
    }

    @Test
    void customIssuerKeepsTheWalletDiscoveryPath() {
        assertThat(PscEnvironment.CUSTOM.discoveryUrl("http://localhost:8080/realms/esante-wallet/"))
            .isEqualTo("http://localhost:8080/realms/esante-wallet/.well-known/wallet-openid-configuration");
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "  ", "relative/path", "ftp://host/realm", "javascript:alert(1)"})
    void customIssuerMustBeAnAbsoluteHttpUrl(String issuer) {
        assertThatThrownBy(() -> PscEnvironment.CUSTOM.issuer(issuer)).isInstanceOf(IllegalArgumentException.class);
    }
}
