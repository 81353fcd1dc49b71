package fr.hcbroker.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.Totp;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Brings docker/compose.yaml up where a Docker engine exists (a user's CI); without one the whole
 * class is reported as skipped. Needs `mvn -B package -pl stack,gateway -am` first (the images' inputs).
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeStackTest {

    private static final String ADMIN_PASSWORD = UUID.randomUUID().toString();

    @Container
    private static final ComposeContainer STACK = new ComposeContainer(new File("compose.yaml"))
            .withEnv(Map.of(
                    "HC_DB_PASSWORD", UUID.randomUUID().toString(),
                    "HC_KEYCLOAK_ADMIN_PASSWORD", ADMIN_PASSWORD,
                    "HC_GATEWAY_CLUSTER_SECRET", UUID.randomUUID() + "-" + UUID.randomUUID(),
                    "HC_GATEWAY_CLIENT_SECRET", UUID.randomUUID().toString()))
            .withBuild(true)
            .withExposedService("gateway-1", 8000, Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(5)))
            .withExposedService("keycloak-2", 8080, Wait.forHealthcheck().withStartupTimeout(Duration.ofMinutes(5)));

    @Test
    void anAnonymousRequestThroughTheGatewayIsSentToKeycloakLogin() throws Exception {
        String gateway = "http://" + STACK.getServiceHost("gateway-1", 8000) + ":" + STACK.getServicePort("gateway-1", 8000);
        HttpResponse<Void> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(gateway + "/")).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("location")).hasValueSatisfying(
                location -> assertThat(location).contains("/realms/hospiconnect/protocol/openid-connect/auth"));
    }

    /**
     * A person logs in through gateway 1 (Keycloak at its fixed public address, localhost:8080 as the
     * compose file maps it) and the session is served by gateway 2: the gateways share sessions.
     */
    @Test
    void aLoginThroughOneGatewayIsServedByTheOther() {
        String name = "compose-" + UUID.randomUUID().toString().substring(0, 8);
        String totp = "totp-" + UUID.randomUUID();
        new AdminApi("http://localhost:8080", "admin", ADMIN_PASSWORD).createUser(name, "Pw-" + name, totp);
        Browser browser = new Browser();
        Browser.Page form = browser.get("http://localhost:8000/echo");
        Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                Map.of("username", name, "password", "Pw-" + name), u -> false);
        Browser.Page landed = browser.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", Totp.now(totp)),
                u -> false);
        assertThat(landed.status()).isEqualTo(200);
        assertThat(landed.body()).contains("\"x-hc-user\"", name, "eidas2");
        HttpResponse<String> second = browser.send(HttpRequest.newBuilder(URI.create("http://localhost:8001/echo")).build());
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).contains(name);
    }

    @Test
    void theSecondKeycloakNodeServesTheRealm() throws Exception {
        String keycloak = "http://" + STACK.getServiceHost("keycloak-2", 8080) + ":" + STACK.getServicePort("keycloak-2", 8080);
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(keycloak + "/realms/hospiconnect/.well-known/openid-configuration")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }
}
