package fr.hcbroker.docker;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.stack.StackMain;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine;
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
    /** The evaluation TLS set the compose file mounts, written before the stack starts. */
    private static final Path TLS = evaluationTls();

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
     * A person logs in through gateway 1 (Keycloak at its public URL, the card proxy at
     * https://localhost:8443, whose certificate the browser trusts) and the session is served by
     * gateway 2: the gateways share sessions.
     */
    @Test
    void aLoginThroughOneGatewayIsServedByTheOther() throws Exception {
        String name = "compose-" + UUID.randomUUID().toString().substring(0, 8);
        String totp = "totp-" + UUID.randomUUID();
        new AdminApi("http://localhost:8080", "admin", ADMIN_PASSWORD).createUser(name, "Pw-" + name, totp);
        Browser browser = new Browser(trusting(TLS.resolve("tls-ca.pem")));
        Browser.Page form = browser.get("http://localhost:8000/echo");
        Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                Map.of("username", name, "password", "Pw-" + name), u -> false);
        Browser.Page landed = browser.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", Totp.now(totp)),
                u -> false);
        assertThat(form.uri().toString()).startsWith("https://localhost:8443/realms/hospiconnect/");
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

    private static Path evaluationTls() {
        Path dir = Path.of("tls");
        if (new CommandLine(new StackMain()).execute("tls", dir.toString()) != 0) {
            throw new IllegalStateException("cannot write the evaluation TLS set in " + dir.toAbsolutePath());
        }
        return dir;
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        try (var in = Files.newInputStream(caPem)) {
            anchors.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(anchors);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
