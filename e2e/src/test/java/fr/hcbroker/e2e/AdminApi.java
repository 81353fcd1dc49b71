package fr.hcbroker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.hcbroker.stack.Stack;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** Keycloak's admin REST API as the bootstrap admin: just what the tests need, over plain HTTP. */
public final class AdminApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Stack stack;
    private final HttpClient http = HttpClient.newHttpClient();

    public AdminApi(Stack stack) {
        this.stack = stack;
    }

    private String token() {
        String form = "grant_type=password&client_id=admin-cli&username="
                + URLEncoder.encode(stack.settings().adminUser(), StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(stack.settings().adminPassword(), StandardCharsets.UTF_8);
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                        URI.create(stack.keycloakUrl() + "/realms/master/protocol/openid-connect/token"))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("admin login failed: " + response.statusCode() + " " + response.body());
        }
        return read(response.body()).path("access_token").asText();
    }

    /** GET {@code /admin/...}; fails on any status but 200. */
    public JsonNode get(String path) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(stack.keycloakUrl() + path))
                .header("authorization", "Bearer " + token()).GET().build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": " + response.statusCode() + " " + response.body());
        }
        return read(response.body());
    }

    /** Sends a JSON body with {@code method}; returns the status. */
    public int send(String method, String path, Object body) {
        try {
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(stack.keycloakUrl() + path))
                    .header("authorization", "Bearer " + token())
                    .header("content-type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
            return response.statusCode();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
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
