package fr.hcbroker.e2e;

import fr.hcbroker.stack.client.AdminApi;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.hcbroker.stack.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(StackExtension.class)
@DisplayName("The real Keycloak runs with our providers, theme and realms")
class FoundationIT {

    /** Provider ids we ship, by SPI id as the server-info endpoint lists them. */
    static final Map<String, List<String>> OUR_PROVIDERS = Map.of(
            "eventsListener", List.of("hc-audit", "hc-enrolment-window"),
            "authenticator", List.of("hc-level-floor", "hc-condition-second-factor", "hc-second-factor-enrolment", "cps-card",
                    "psc-first-login"),
            "identity_provider", List.of("pro-sante-connect"),
            "well-known", List.of("wallet-openid-configuration"),
            "protocol-mapper", List.of("hc-amr-mapper", "hc-acr-mapper", "hc-tid-mapper"));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Stack stack;
    private static AdminApi admin;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void connect(Stack running) {
        stack = running;
        admin = new AdminApi(running);
    }

    @Test
    void ourProvidersAreRegistered() {
        JsonNode providers = admin.get("/admin/serverinfo").path("providers");
        OUR_PROVIDERS.forEach((spi, ids) -> {
            List<String> registered = new ArrayList<>();
            providers.path(spi).path("providers").fieldNames().forEachRemaining(registered::add);
            assertThat(registered).as("providers of SPI %s", spi).containsAll(ids);
        });
    }

    @Test
    void theLoginThemeIsRegisteredAndUsedByTheRealm() {
        List<String> loginThemes = new ArrayList<>();
        admin.get("/admin/serverinfo").path("themes").path("login")
                .forEach(t -> loginThemes.add(t.path("name").asText()));
        assertThat(loginThemes).contains("hospiconnect");
        JsonNode realm = admin.get("/admin/realms/hospiconnect");
        assertThat(realm.path("loginTheme").asText()).isEqualTo("hospiconnect");
        assertThat(realm.path("defaultLocale").asText()).isEqualTo("fr");
    }

    @Test
    void theRealmsAnswerOidcDiscovery() throws Exception {
        for (String realm : List.of("hospiconnect", "esante-wallet")) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(
                    stack.keycloakUrl() + "/realms/" + realm + "/.well-known/openid-configuration")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(response.body()).path("issuer").asText())
                    .isEqualTo(stack.keycloakUrl() + "/realms/" + realm);
        }
    }

    @Test
    void theLoginPageIsFrenchByDefault() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.keycloakUrl()
                        + "/realms/hospiconnect/protocol/openid-connect/auth?client_id=hc-gateway&response_type=code"
                        + "&scope=openid&redirect_uri=" + stack.gatewayUrl() + "/cb"
                        + "&code_challenge_method=S256&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("lang=\"fr\"");
    }

    @Test
    void adminChangesReachTheChainedAuditTrailWithWhoMadeThem() throws Exception {
        int status = admin.send("POST", "/admin/realms/hospiconnect/users",
                Map.of("username", "audit-probe", "enabled", true));
        assertThat(status).isEqualTo(201);
        List<Path> files = AuditFiles.of(stack, "keycloak");
        List<JsonNode> records = new ArrayList<>();
        for (Path file : files) {
            for (String line : Files.readAllLines(file)) {
                records.add(JSON.readTree(line));
            }
        }
        assertThat(records).anySatisfy(r -> {
            assertThat(r.path("source").asText()).isEqualTo("keycloak");
            assertThat(r.path("event").asText()).isEqualTo("admin-create");
            assertThat(r.path("user").asText()).isEqualTo("admin");
            assertThat(r.path("details").path("realm").asText()).isEqualTo("hospiconnect");
            assertThat(r.path("hash").asText()).hasSize(64);
        });
        assertThat(AuditFiles.verify(files)).startsWith("OK");
    }

    @Test
    void theDemoAppsPublicPathIsReachableThroughTheGatewayWhichDropsSpoofedIdentityHeaders() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/public/echo"))
                .header("X-HC-User", "forged").header("X_HC_LOA", "eidas3").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode echoed = JSON.readTree(response.body());
        assertThat(echoed.path("host").isMissingNode()).isFalse();
        assertThat(echoed.has("x-hc-user")).isFalse();
        assertThat(echoed.has("x_hc_loa")).isFalse();
    }
}
