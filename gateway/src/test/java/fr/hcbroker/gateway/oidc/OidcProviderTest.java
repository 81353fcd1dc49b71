package fr.hcbroker.gateway.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The gateway's own calls to Keycloak")
class OidcProviderTest {

    private static final URI ISSUER = URI.create("https://auth.example.fr/realms/hospiconnect");
    private static final URI BACK_CHANNEL = URI.create("http://keycloak-1:8080/realms/hospiconnect/");

    @Test
    @DisplayName("the end-session endpoint under the public issuer is called on the back channel")
    void publicEndpointMovesToTheBackChannel() {
        assertThat(OidcProvider.onBackChannel(
                URI.create("https://auth.example.fr/realms/hospiconnect/protocol/openid-connect/logout"), ISSUER, BACK_CHANNEL))
                .hasToString("http://keycloak-1:8080/realms/hospiconnect/protocol/openid-connect/logout");
    }

    @ParameterizedTest(name = "{0} stays as it is")
    @DisplayName("a URL outside the issuer, or a prefix that only looks like it, is never rewritten")
    @CsvSource({
            "https://other.example.fr/realms/hospiconnect/protocol/openid-connect/logout",
            "https://auth.example.fr/realms/hospiconnect-evil/protocol/openid-connect/logout",
            "https://auth.example.fr.evil.test/realms/hospiconnect/protocol/openid-connect/logout",
            "http://auth.example.fr/realms/hospiconnect/protocol/openid-connect/logout",
    })
    void othersStay(String url) {
        assertThat(OidcProvider.onBackChannel(URI.create(url), ISSUER, BACK_CHANNEL)).hasToString(url);
    }

    @Test
    @DisplayName("without a back channel the endpoint is called where Keycloak names it")
    void noBackChannel() {
        URI endpoint = URI.create("https://auth.example.fr/realms/hospiconnect/protocol/openid-connect/logout");
        assertThat(OidcProvider.onBackChannel(endpoint, ISSUER, null)).isEqualTo(endpoint);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "[{index}] {0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', nullValues = "-", value = {
            "{}                                                                                       | -",
            "{\"hc_emergency\": false, \"hc_emergency_reason\": \"x\", \"hc_emergency_until\": 9}     | -",
            "{\"hc_emergency\": true, \"hc_emergency_reason\": \"urgence-vitale\", \"hc_emergency_until\": 1800000000} | urgence-vitale@1800000000",
            "{\"hc_emergency\": \"true\", \"hc_emergency_reason\": \"urgence-vitale\", \"hc_emergency_until\": 5} | urgence-vitale@5",
            "{\"hc_emergency\": true, \"hc_emergency_reason\": \"continuite-des-soins\"}                   | continuite-des-soins@0",
            "{\"hc_emergency\": true, \"hc_emergency_until\": \"tomorrow\"}                               | @0",
            "{\"hc_emergency\": 1, \"hc_emergency_reason\": [\"a\"], \"hc_emergency_until\": 7}        | @7"})
    @org.junit.jupiter.api.DisplayName("the emergency claims: any marker but false is an emergency session; an unreadable limit is already past")
    void emergencyFactsFromTheIdToken(String claims, String expected) throws Exception {
        com.nimbusds.jwt.JWTClaimsSet id = com.nimbusds.jwt.JWTClaimsSet.parse(claims);
        fr.hcbroker.gateway.session.Session.Emergency emergency = OidcProvider.emergency(id);
        assertThat(emergency == null ? null : emergency.reason() + "@" + emergency.until()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "HTTP {0} {1}: postponed {2}")
    @DisplayName("a refresh Keycloak cannot decide now (503 temporarily_unavailable) is postponed; any other error ends the session")
    @CsvSource({
            "503, temporarily_unavailable, true",
            "400, temporarily_unavailable, true",
            "503, server_error, true",
            "400, invalid_grant, false",
            "401, unauthorized_client, false",
            "500, server_error, false",
    })
    void postponedOrRefused(int status, String code, boolean postponed) {
        assertThat(OidcProvider.postponed(new com.nimbusds.oauth2.sdk.ErrorObject(code, null, status))).isEqualTo(postponed);
    }
}
