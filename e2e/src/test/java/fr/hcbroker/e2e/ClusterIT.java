package fr.hcbroker.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import fr.hcbroker.stack.Stack;
import fr.hcbroker.stack.client.AdminApi;
import fr.hcbroker.stack.client.Browser;
import fr.hcbroker.stack.client.Totp;
import fr.hcbroker.stack.keycloak.KeycloakOptions;
import fr.hcbroker.stack.keycloak.KeycloakServer;
import fr.hcbroker.stack.postgres.PostgresServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scale-out topology with real processes on loopback: PostgreSQL, two Keycloak nodes of the
 * production profile clustered with Keycloak's own Infinispan (members found through the database),
 * and three gateway nodes sharing sessions over their embedded Infinispan. Gateways A and B log in
 * against Keycloak node 1, C against node 2. The tests run in order: they follow one story.
 */
@ExtendWith(StackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Scale-out: 3 gateway nodes and 2 Keycloak nodes on PostgreSQL")
class ClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern KEYCLOAK_VIEW_OF_TWO = Pattern.compile("ISPN000094: Received new cluster view.*\\(2\\)");

    private static Stack stack;
    private static Path work;
    private static PostgresServer postgres;
    private static final List<KeycloakServer> keycloaks = new ArrayList<>();
    private static final int[] gatewayPorts = new int[3];
    private static final int[] jgroupsPorts = new int[3];
    private static final Process[] gateways = new Process[3];
    private static String[] issuers;
    private static final Browser nurse = new Browser();
    private static final Browser doctor = new Browser();

    @BeforeAll
    static void startTopology(Stack running) throws Exception {
        stack = running;
        work = Path.of(System.getProperty("hc.work")).toAbsolutePath().resolveSibling("cluster-it");
        Files.createDirectories(work);
        postgres = PostgresServer.start(GatewayProcess.freePort(), "keycloak", "keycloak");
        for (int node = 1; node <= 2; node++) {
            KeycloakServer keycloak = stack.keycloakNode(work.resolve("keycloak-" + node), GatewayProcess.freePort(),
                    GatewayProcess.freePort(), GatewayProcess.freePort(), new KeycloakOptions.Cluster(
                            postgres.jdbcUrl(), postgres.user(), postgres.password(), GatewayProcess.freeClusterPort()));
            keycloaks.add(keycloak);
            // One after the other: the first creates the schema and imports the realms, the second joins.
            keycloak.start();
        }
        issuers = new String[] {realm(0), realm(0), realm(1)};
        for (int i = 0; i < 3; i++) {
            gatewayPorts[i] = GatewayProcess.freePort();
            jgroupsPorts[i] = GatewayProcess.freeClusterPort();
        }
        allowGatewayRedirects();
        for (int i = 0; i < 3; i++) {
            startGateway(i);
        }
    }

    @AfterAll
    static void stopTopology() {
        for (Process gateway : gateways) {
            if (gateway != null) {
                gateway.destroyForcibly();
            }
        }
        keycloaks.forEach(KeycloakServer::stop);
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(1)
    @DisplayName("the two Keycloak nodes form one cluster on PostgreSQL, and the gateways one of three")
    void clustersFormed() throws Exception {
        for (KeycloakServer keycloak : keycloaks) {
            assertThat(KEYCLOAK_VIEW_OF_TWO.matcher(Files.readString(keycloak.logFile())).find())
                    .as("cluster view of 2 in %s", keycloak.logFile()).isTrue();
        }
        for (int i = 0; i < 3; i++) {
            assertThat(clusterMembers(i)).isEqualTo(3);
            // Over the configured TCP stack on its own port, not a default (multicast) one.
            assertThat(Files.readString(work.resolve("gateway-" + "abc".charAt(i) + ".log")))
                    .contains("physical addresses are `[127.0.0.1:" + jgroupsPorts[i] + "]`")
                    .doesNotContain("ISPN000088");
        }
    }

    @Test
    @Order(2)
    @DisplayName("a login through A (Keycloak 1) is one session on B and C, no new login; every node's JWKS verifies A's assertion")
    void loginOnASeenOnBAndC() throws Exception {
        JsonNode onA = login(nurse, 0);
        assertThat(onA.path("x-hc-loa").asText()).isEqualTo("eidas2");
        String session = onA.path("x-hc-session").asText();
        for (int node : new int[] {1, 2}) {
            JsonNode seen = echo(nurse, node);
            assertThat(seen.path("x-hc-session").asText()).as("gateway %s", "ABC".charAt(node)).isEqualTo(session);
            assertThat(seen.path("x-hc-user").asText()).isEqualTo(onA.path("x-hc-user").asText());
        }
        // Behind a load balancer an app may fetch the keys from any node: each lists A's signing key.
        SignedJWT assertion = SignedJWT.parse(onA.path("x-hc-assertion").asText());
        for (int node : new int[] {0, 1, 2}) {
            JWKSet keys = JWKSet.parse(nurse.send(HttpRequest.newBuilder(
                    URI.create(url(node, "/.well-known/hc-broker/jwks.json"))).build()).body());
            ECKey key = (ECKey) keys.getKeyByKeyId(assertion.getHeader().getKeyID());
            assertThat(key).as("A's key in the JWKS of gateway %s", "ABC".charAt(node)).isNotNull();
            assertThat(assertion.verify(new ECDSAVerifier(key))).isTrue();
        }
    }

    @Test
    @Order(3)
    @DisplayName("our providers work on Keycloak 2: password + TOTP through C reaches eidas2, seen on A")
    void loginOnCThroughKeycloakTwo() throws Exception {
        JsonNode onC = login(doctor, 2);
        assertThat(onC.path("x-hc-loa").asText()).isEqualTo("eidas2");
        assertThat(onC.path("x-hc-amr").asText()).contains("otp");
        assertThat(echo(doctor, 0).path("x-hc-session").asText()).isEqualTo(onC.path("x-hc-session").asText());
    }

    @Test
    @Order(4)
    @DisplayName("kill -9 of A: B keeps serving both sessions with no new login")
    void killedNodeLosesNoSession() throws Exception {
        String before = echo(nurse, 1).path("x-hc-session").asText();
        gateways[0].destroyForcibly().waitFor();
        for (int round = 0; round < 20; round++) {
            assertThat(echo(nurse, 1).path("x-hc-session").asText()).isEqualTo(before);
            assertThat(echo(doctor, 2).path("x-hc-user").asText()).startsWith("cluster-");
        }
        awaitMembers(1, 2);
    }

    @Test
    @Order(5)
    @DisplayName("logout on C is refused on B within 1 s")
    void logoutOnCEndsSessionOnB() throws Exception {
        // The cookie as it was: after logout the browser forgets it, a thief or a stale tab would not.
        String cookie = nurse.cookieHeader(url(1, "/"));
        HttpRequest withOldCookie = HttpRequest.newBuilder(URI.create(url(1, "/echo"))).header("cookie", cookie).build();
        java.net.http.HttpClient raw = java.net.http.HttpClient.newHttpClient();
        assertThat(raw.send(withOldCookie, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);

        Browser.Page confirm = nurse.get(url(2, "/.hc/logout"));
        Browser.Page out = nurse.submit(confirm, Map.of(), u -> !u.toString().startsWith(url(2, "")));
        assertThat(out.status()).isEqualTo(302);
        Instant loggedOut = Instant.now();
        int status;
        do {
            status = raw.send(withOldCookie, HttpResponse.BodyHandlers.discarding()).statusCode();
        } while (status == 200 && Duration.between(loggedOut, Instant.now()).toMillis() < 1000);
        assertThat(status).as("B with the logged-out cookie").isEqualTo(302);
        assertThat(Duration.between(loggedOut, Instant.now())).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    @Order(6)
    @DisplayName("A restarted rejoins: three members again, and it serves the session made through C")
    void restartedNodeRejoins() throws Exception {
        startGateway(0);
        awaitMembers(0, 3);
        assertThat(echo(doctor, 0).path("x-hc-user").asText()).startsWith("cluster-");
    }

    // --- helpers ---

    private static String realm(int keycloak) {
        return keycloaks.get(keycloak).options().httpUrl() + "/realms/hospiconnect";
    }

    private static String url(int gateway, String path) {
        return "http://localhost:" + gatewayPorts[gateway] + path;
    }

    /** As an admin would: the gateway client accepts the callbacks of every node. */
    private static void allowGatewayRedirects() {
        AdminApi admin = new AdminApi(keycloaks.get(0).options().httpUrl(), stack.settings().adminUser(),
                stack.settings().adminPassword());
        ObjectNode client = (ObjectNode) admin.get("/admin/realms/hospiconnect/clients?clientId=hc-gateway").get(0);
        ArrayNode redirects = (ArrayNode) client.get("redirectUris");
        for (int port : gatewayPorts) {
            redirects.add("http://localhost:" + port + "/*");
        }
        assertThat(admin.send("PUT", "/admin/realms/hospiconnect/clients/" + client.get("id").asText(), client))
                .isEqualTo(204);
    }

    private static void startGateway(int node) throws Exception {
        String members = java.util.Arrays.stream(jgroupsPorts).mapToObj(p -> "127.0.0.1:" + p)
                .collect(Collectors.joining(", "));
        Path config = work.resolve("gateway-" + "abc".charAt(node) + ".yaml");
        Files.writeString(config, """
                listen: {host: 127.0.0.1, port: %d}
                publicUrl: http://localhost:%d
                oidc: {issuer: %s, clientId: hc-gateway, clientSecretEnv: SECRET}
                session:
                  cluster: {name: hc-cluster-it, bind: "127.0.0.1:%d", members: [%s], secretEnv: SECRET}
                audit: {dir: %s, groupCommitMillis: 50}
                routes:
                  - {id: app, path: /, upstream: "%s"}
                """.formatted(gatewayPorts[node], gatewayPorts[node], issuers[node], jgroupsPorts[node], members,
                work.resolve("audit-" + "abc".charAt(node)), stack.demoAppUrl()));
        gateways[node] = GatewayProcess.start(config, work.resolve("gateway-" + "abc".charAt(node) + ".log"),
                gatewayPorts[node], List.of(), stack.gatewayClientSecret());
    }

    /** A new user with password and TOTP, logged in through gateway {@code node}; returns what the app saw. */
    private static JsonNode login(Browser browser, int node) throws Exception {
        String name = "cluster-" + UUID.randomUUID().toString().substring(0, 8);
        String totp = "totp-" + UUID.randomUUID();
        new AdminApi(keycloaks.get(0).options().httpUrl(), stack.settings().adminUser(), stack.settings().adminPassword())
                .createUser(name, "Pw-" + name, totp);
        Browser.Page form = browser.get(url(node, "/echo"));
        assertThat(form.uri().toString()).startsWith(issuers[node]);
        Browser.Page otp = browser.submit(form, form.form("kc-form-login"),
                Map.of("username", name, "password", "Pw-" + name), u -> false);
        Browser.Page landed = browser.submit(otp, otp.form("kc-otp-login-form"), Map.of("otp", Totp.now(totp)), u -> false);
        assertThat(landed.status()).as(landed.body()).isEqualTo(200);
        assertThat(landed.uri().toString()).isEqualTo(url(node, "/echo"));
        return JSON.readTree(landed.body());
    }

    private static JsonNode echo(Browser browser, int node) throws Exception {
        HttpResponse<String> response = browser.send(HttpRequest.newBuilder(URI.create(url(node, "/echo"))).build());
        assertThat(response.statusCode()).as("gateway %s: %s", "ABC".charAt(node), response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static int clusterMembers(int node) {
        HttpResponse<String> metrics = nurse.send(HttpRequest.newBuilder(URI.create(url(node, "/metrics"))).build());
        return metrics.body().lines().filter(l -> l.startsWith("hc_gateway_cluster_members"))
                .map(l -> (int) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no hc_gateway_cluster_members metric"));
    }

    private static void awaitMembers(int node, int expected) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (clusterMembers(node) != expected && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
        }
        assertThat(clusterMembers(node)).isEqualTo(expected);
    }
}
