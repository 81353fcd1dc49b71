package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.Totp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Token refresh: a gateway of its own, logged in through a client whose access tokens live 10 s, so
 * that its sessions are refreshed with Keycloak every 5 s. No back-channel logout is configured for
 * that client: only the refresh can tell the gateway that Keycloak ended the session. Also Keycloak's
 * signing key rotated under an open session and before a new login.
 */
@ExtendWith(StackExtension.class)
@DisplayName("token refresh: the gateway session follows Keycloak's")
class GatewayRefreshIT {

    private static final String CLIENT = "hc-gateway-refresh";
    private static final String REALM = "/admin/realms/hospiconnect";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Stack stack;
    private static AdminApi admin;
    private static Process gateway;
    private static int port;

    @BeforeAll
    static void start(Stack running) throws Exception {
        stack = running;
        admin = new AdminApi(stack);
        port = GatewayProcess.freePort();
        String secret = "refresh-" + UUID.randomUUID();
        ObjectNode client = (ObjectNode) admin.get(REALM + "/clients?clientId=" + Stack.GATEWAY_CLIENT_ID).get(0);
        client.remove(List.of("id", "secret"));
        client.put("clientId", CLIENT).put("secret", secret);
        client.set("redirectUris", JSON.createArrayNode().add("http://localhost:" + port + "/*"));
        ObjectNode attributes = (ObjectNode) client.get("attributes");
        attributes.remove(List.of("backchannel.logout.url", "post.logout.redirect.uris"));
        attributes.put("access.token.lifespan", "10");
        for (JsonNode mapper : client.path("protocolMappers")) {
            ((ObjectNode) mapper).remove("id");
        }
        assertThat(admin.send("POST", REALM + "/clients", client)).isEqualTo(201);

        Path work = Path.of(System.getProperty("hc.work")).toAbsolutePath().resolveSibling("refresh-it");
        Files.createDirectories(work);
        Path config = work.resolve("gateway.yaml");
        Files.writeString(config, """
                listen: {host: 127.0.0.1, port: %d}
                publicUrl: http://localhost:%d
                oidc: {issuer: %s/realms/hospiconnect, clientId: %s, clientSecretEnv: SECRET}
                audit: {dir: %s, groupCommitMillis: 50}
                routes:
                  - {id: app, path: /, upstream: "%s"}
                """.formatted(port, port, stack.keycloakUrl(), CLIENT, work.resolve("audit"), stack.demoAppUrl()));
        gateway = GatewayProcess.start(config, work.resolve("gateway.log"), port, List.of(), secret);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.destroyForcibly();
        }
    }

    @Test
    @DisplayName("a refresh brings a new role to the app; a user disabled in Keycloak loses access at the next refresh")
    void refreshFollowsKeycloak() throws Exception {
        Browser browser = new Browser();
        String name = login(browser);
        assertThat(echo(browser).path("x-hc-roles").asText()).doesNotContain("hc-refresh-tested");

        // A role granted in Keycloak reaches the app once the session is refreshed, with no new login.
        String role = "hc-refresh-tested";
        admin.send("POST", REALM + "/roles", Map.of("name", role));
        JsonNode roleRepresentation = admin.get(REALM + "/roles/" + role);
        assertThat(admin.send("POST", REALM + "/users/" + admin.userId(name) + "/role-mappings/realm",
                List.of(roleRepresentation))).isEqualTo(204);
        awaitEcho(browser, seen -> seen != null && seen.path("x-hc-roles").asText().contains(role), Duration.ofSeconds(20));
        assertThat(counter("ok")).isGreaterThanOrEqualTo(1);

        // Disabled in Keycloak (no logout sent): the next refresh is refused and the session ends.
        ObjectNode user = (ObjectNode) admin.get(REALM + "/users/" + admin.userId(name));
        user.put("enabled", false);
        assertThat(admin.send("PUT", REALM + "/users/" + admin.userId(name), user)).isEqualTo(204);
        Instant disabled = Instant.now();
        awaitEcho(browser, seen -> seen == null, Duration.ofSeconds(20));
        assertThat(Duration.between(disabled, Instant.now())).isLessThan(Duration.ofSeconds(15));
        assertThat(counter("refused")).isGreaterThanOrEqualTo(1);
    }

    @Test
    @DisplayName("Keycloak's signing key rotated: the open session refreshes and a new login succeeds, both verified with the new key")
    void keyRotation() throws Exception {
        Browser before = new Browser();
        login(before);
        JsonNode realm = admin.get(REALM);
        String kid = "rotated-" + UUID.randomUUID();
        assertThat(admin.send("POST", REALM + "/components", Map.of("name", kid, "providerId", "rsa-generated",
                "providerType", "org.keycloak.keys.KeyProvider", "parentId", realm.path("id").asText(),
                "config", Map.of("priority", List.of("1000"), "algorithm", List.of("RS256"), "keySize", List.of("2048")))))
                .isEqualTo(201);
        String newKid = null;
        for (JsonNode key : admin.get(REALM + "/keys").path("keys")) {
            if ("RS256".equals(key.path("algorithm").asText()) && key.path("providerPriority").asLong() == 1000) {
                newKid = key.path("kid").asText();
            }
        }
        assertThat(newKid).as("the new key is active").isNotNull();
        double refreshed = counter("ok");
        double refused = counter("refused");
        // The open session's next refresh brings an ID token signed with the new key.
        awaitEcho(before, seen -> seen != null && counter("ok") > refreshed, Duration.ofSeconds(20));
        assertThat(counter("refused")).as("no refresh refused").isEqualTo(refused);
        assertThat(echo(before).path("x-hc-user").asText()).startsWith("refresh-");
        // A new login: its ID token too, which the gateway verifies after fetching Keycloak's keys again.
        Browser after = new Browser();
        login(after);
        assertThat(admin.get(REALM + "/keys").path("active").path("RS256").asText()).isEqualTo(newKid);
    }

    /** A new user with password and TOTP, logged in through this test's gateway. */
    private static String login(Browser browser) throws Exception {
        String name = "refresh-" + UUID.randomUUID().toString().substring(0, 8);
        String totp = "totp-" + UUID.randomUUID();
        admin.createUser(name, "Pw-" + name, totp);
        Browser.Page form = browser.get(url("/echo"));
        Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                Map.of("username", name, "password", "Pw-" + name), u -> false);
        Browser.Page landed = browser.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", Totp.now(totp)), u -> false);
        assertThat(landed.status()).as(landed.body()).isEqualTo(200);
        assertThat(JSON.readTree(landed.body()).path("x-hc-user").asText()).isEqualTo(name);
        return name;
    }

    private static JsonNode echo(Browser browser) throws Exception {
        HttpResponse<String> response = browser.send(HttpRequest.newBuilder(URI.create(url("/echo"))).build());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** Requests {@code /echo} every 500 ms until {@code done} holds for what the app saw (null: sent to log in). */
    private static void awaitEcho(Browser browser, java.util.function.Predicate<JsonNode> done, Duration within)
            throws Exception {
        Instant deadline = Instant.now().plus(within);
        JsonNode seen = null;
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> response = browser.send(HttpRequest.newBuilder(URI.create(url("/echo"))).build());
            seen = response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
            if (response.statusCode() != 200) {
                assertThat(response.statusCode()).isEqualTo(302);
                assertThat(response.headers().firstValue("location").orElseThrow())
                        .startsWith(stack.keycloakUrl() + "/realms/hospiconnect/");
            }
            if (done.test(seen)) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("not seen within " + within + "; last: " + seen);
    }

    private static double counter(String result) {
        HttpResponse<String> metrics = new Browser().send(HttpRequest.newBuilder(URI.create(url("/metrics"))).build());
        return metrics.body().lines()
                .filter(l -> l.startsWith("hc_gateway_token_refreshes_total{result=\"" + result + "\"}"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }

    private static String url(String path) {
        return "http://localhost:" + port + path;
    }
}
