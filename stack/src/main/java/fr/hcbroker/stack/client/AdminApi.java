package fr.hcbroker.stack.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fr.hcbroker.stack.Stack;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Keycloak's admin REST API as the bootstrap admin: just what the tests need, over plain HTTP. */
public final class AdminApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String keycloakUrl;
    private final String adminUser;
    private final String adminPassword;
    private final HttpClient http = HttpClient.newHttpClient();

    public AdminApi(Stack stack) {
        this(stack.keycloakUrl(), stack.settings().adminUser(), stack.settings().adminPassword());
    }

    public AdminApi(String keycloakUrl, String adminUser, String adminPassword) {
        this.keycloakUrl = keycloakUrl;
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
    }

    private String token() {
        String form = "grant_type=password&client_id=admin-cli&username="
                + URLEncoder.encode(adminUser, StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(adminPassword, StandardCharsets.UTF_8);
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                        URI.create(keycloakUrl + "/realms/master/protocol/openid-connect/token"))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("admin login failed: " + response.statusCode() + " " + response.body());
        }
        return read(response.body()).path("access_token").asText();
    }

    /** GET {@code /admin/...}; fails on any status but 200. */
    public JsonNode get(String path) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(keycloakUrl + path))
                .header("authorization", "Bearer " + token()).GET().build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": " + response.statusCode() + " " + response.body());
        }
        return read(response.body());
    }

    /** Sends a JSON body with {@code method}; returns the status. */
    public int send(String method, String path, Object body) {
        return exchange(method, path, body).statusCode();
    }

    /** Sends a JSON body with {@code method}; returns the whole answer (e.g. to read why Keycloak refused). */
    public HttpResponse<String> exchange(String method, String path, Object body) {
        try {
            return send(HttpRequest.newBuilder(URI.create(keycloakUrl + path))
                    .header("authorization", "Bearer " + token())
                    .header("content-type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates an enabled user with a password and, when {@code totpSecret} is set, a TOTP credential. */
    public void createUser(String username, String password, String totpSecret) {
        createUser(username, password, totpSecret, java.util.Map.of());
    }

    public void createUser(String username, String password, String totpSecret, java.util.Map<String, java.util.List<String>> attributes) {
        var credentials = new java.util.ArrayList<Object>();
        credentials.add(java.util.Map.of("type", "password", "value", password, "temporary", false));
        if (totpSecret != null) {
            credentials.add(java.util.Map.of("type", "otp",
                    "secretData", "{\"value\":\"" + totpSecret + "\"}",
                    "credentialData", "{\"subType\":\"totp\",\"digits\":6,\"counter\":0,\"period\":30,\"algorithm\":\"HmacSHA1\"}"));
        }
        // Partial import is the admin API's way to create a user with an OTP secret in one call.
        int status = send("POST", "/admin/realms/hospiconnect/partialImport", java.util.Map.of(
                "ifResourceExists", "FAIL",
                "users", java.util.List.of(java.util.Map.of("username", username, "enabled", true,
                        "email", username + "@test.hc-broker.fr", "firstName", "Test", "lastName", username,
                        // Imported users get only the roles they list, not the realm's default ones.
                        "realmRoles", java.util.List.of(fr.hcbroker.stack.demo.DemoAccounts.DEFAULT_ROLES),
                        "attributes", attributes, "credentials", credentials))));
        if (status != 200) {
            throw new IllegalStateException("cannot create user " + username + ": " + status);
        }
    }

    /**
     * Opens the user's second-factor enrolment window for {@code length}: the admin procedure that lets
     * a person with only a password enrol a first TOTP or security key (docs/en/admin-guide.md).
     */
    public void openEnrolmentWindow(String username, Duration length) {
        String path = "/admin/realms/hospiconnect/users/" + userId(username);
        ObjectNode user = (ObjectNode) get(path);
        ObjectNode attributes = user.has("attributes") ? (ObjectNode) user.get("attributes") : user.putObject("attributes");
        attributes.putArray("hc_enrolment_until").add(Instant.now().plus(length).truncatedTo(ChronoUnit.SECONDS).toString());
        int status = send("PUT", path, user);
        if (status != 204) {
            throw new IllegalStateException("cannot open the enrolment window of " + username + ": " + status);
        }
    }

    public String userId(String username) {
        return get("/admin/realms/hospiconnect/users?exact=true&username=" + username).get(0).path("id").asText();
    }

    /** Id of the user's first credential of {@code type}, or null. */
    public String credentialId(String username, String type) {
        for (JsonNode credential : get("/admin/realms/hospiconnect/users/" + userId(username) + "/credentials")) {
            if (type.equals(credential.path("type").asText())) {
                return credential.path("id").asText();
            }
        }
        return null;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + body, e);
        }
    }
}
