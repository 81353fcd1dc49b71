package fr.hcbroker.audit.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the trail cannot say: the second factors people own, and the clients an admin lowered below
 * the realm's floor. Read from a realm export ({@code kc.sh export --realm hospiconnect --dir DIR}:
 * the realm file and its users files), which an IT admin can make without any API credential.
 *
 * @param strongestFactor each account's strongest factor owned (username to factor)
 * @param clientMinimum   clients with their own minimum acr (clientId to acr value)
 * @param realmFloor      the realm's floor ({@code hc.minimum.acr}), or null when no realm file was given
 */
public record RealmFacts(Map<String, Factor> strongestFactor, Map<String, String> clientMinimum, String realmFloor) {

    public static final RealmFacts NONE = new RealmFacts(Map.of(), Map.of(), null);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads export files (a realm file, users files, or one file with both); a file that is not one is an error. */
    public static RealmFacts read(Iterable<Path> exports) throws IOException {
        Map<String, Factor> factors = new TreeMap<>();
        Map<String, String> clients = new TreeMap<>();
        String floor = null;
        for (Path file : exports) {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject() || !(root.has("realm") || root.has("users"))) {
                throw new IOException(file + ": not a Keycloak realm export (no \"realm\" or \"users\")");
            }
            for (JsonNode user : root.path("users")) {
                String name = user.path("username").asText(null);
                if (name != null) {
                    factors.merge(name, strongest(user), Factor::stronger);
                }
            }
            for (JsonNode client : root.path("clients")) {
                String min = client.path("attributes").path("minimum.acr.value").asText(null);
                if (min != null && !min.isBlank()) {
                    clients.put(client.path("clientId").asText(), min);
                }
            }
            if (root.has("realm")) {
                floor = root.path("attributes").path("hc.minimum.acr").asText("eidas2");
            }
        }
        return new RealmFacts(Map.copyOf(factors), Map.copyOf(clients), floor);
    }

    /** From an exported user: its credentials (otp, webauthn) and its link to Pro Santé Connect. */
    static Factor strongest(JsonNode user) {
        Factor factor = Factor.NONE;
        for (JsonNode credential : user.path("credentials")) {
            switch (credential.path("type").asText("")) {
                case "otp" -> factor = Factor.stronger(factor, Factor.TOTP);
                case "webauthn", "webauthn-passwordless" -> factor = Factor.stronger(factor, Factor.SECURITY_KEY);
                default -> {
                }
            }
        }
        for (JsonNode link : user.path("federatedIdentities")) {
            if (Means.PSC_ALIAS.equals(link.path("identityProvider").asText())) {
                factor = Factor.stronger(factor, Factor.PSC);
            }
        }
        return factor;
    }
}
