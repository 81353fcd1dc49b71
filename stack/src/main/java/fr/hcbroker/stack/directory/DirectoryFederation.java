package fr.hcbroker.stack.directory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fr.hcbroker.stack.StackException;
import fr.hcbroker.stack.client.AdminApi;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Applies {@code realms/templates/ad-federation.json} to a running realm through the admin API: the
 * LDAP provider, then exactly the template's mappers (Keycloak adds default ones when a provider is
 * created; they are replaced, so what runs is what the template says).
 */
public final class DirectoryFederation {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STORAGE = "org.keycloak.storage.UserStorageProvider";
    private static final String MAPPER = "org.keycloak.storage.ldap.mappers.LDAPStorageMapper";

    private DirectoryFederation() {
    }

    /** Returns the id of the provider created from the template, filled with {@code values}. */
    public static String apply(AdminApi admin, String realm, Path template, Map<String, String> values) {
        JsonNode provider;
        try {
            provider = JSON.readTree(Placeholders.fill(Files.readString(template), values)).path(STORAGE).path(0);
        } catch (IOException e) {
            throw new StackException("cannot read " + template + ": " + e.getMessage(), e);
        }
        String base = "/admin/realms/" + realm;
        String realmId = admin.get(base).path("id").asText();
        ObjectNode component = provider.deepCopy();
        JsonNode mappers = component.remove("subComponents").path(MAPPER);
        component.put("providerType", STORAGE).put("parentId", realmId);
        expect(admin.send("POST", base + "/components", component), 201, "the LDAP provider");
        String name = component.path("name").asText();
        String id = null;
        for (JsonNode existing : admin.get(base + "/components?type=" + STORAGE + "&parent=" + realmId
                + "&name=" + URLEncoder.encode(name, StandardCharsets.UTF_8))) {
            id = existing.path("id").asText();
        }
        if (id == null) {
            throw new StackException("the LDAP provider " + name + " was created but is not listed");
        }
        for (JsonNode defaultMapper : admin.get(base + "/components?type=" + MAPPER + "&parent=" + id)) {
            expect(admin.send("DELETE", base + "/components/" + defaultMapper.path("id").asText(), Map.of()), 204,
                    "a default mapper");
        }
        for (JsonNode mapper : mappers) {
            ObjectNode m = mapper.deepCopy();
            m.remove("subComponents");
            m.put("providerType", MAPPER).put("parentId", id);
            expect(admin.send("POST", base + "/components", m), 201, "the mapper " + m.path("name").asText());
        }
        return id;
    }

    private static void expect(int status, int wanted, String what) {
        if (status != wanted) {
            throw new StackException("cannot create " + what + ": HTTP " + status);
        }
    }
}
