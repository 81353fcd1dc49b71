package fr.hcbroker.stack.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import fr.hcbroker.stack.StackException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlaceholdersTest {

    @Test
    void aValueWinsOverTheDefaultWhichFillsTheRest() {
        assertThat(Placeholders.fill("{\"a\":\"${A}\",\"b\":\"${B:x}\",\"c\":\"${C:(&(o=p))}\"}", Map.of("A", "1", "B", "2")))
                .isEqualTo("{\"a\":\"1\",\"b\":\"2\",\"c\":\"(&(o=p))\"}");
    }

    @Test
    void aPlaceholderWithoutValueOrDefaultIsRefusedByName() {
        assertThatThrownBy(() -> Placeholders.fill("\"${HC_AD_URL}\"", Map.of()))
                .isInstanceOf(StackException.class).hasMessageContaining("HC_AD_URL");
    }

    /** Hostile values (a bind password, a DN) stay one JSON string: no injected key, no broken document. */
    @ParameterizedTest
    @ValueSource(strings = {"p\"a\",\"editMode\":\"WRITABLE", "back\\slash", "line\nfeed\u0000", "$1 \\$ ${X}"})
    void valuesStayInsideTheirString(String hostile) throws Exception {
        String filled = Placeholders.fill("{\"bindCredential\":\"${P}\",\"editMode\":\"UNSYNCED\"}", Map.of("P", hostile));
        var node = new ObjectMapper().readTree(filled);
        assertThat(node.path("bindCredential").asText()).isEqualTo(hostile);
        assertThat(node.path("editMode").asText()).isEqualTo("UNSYNCED");
    }

    @Test
    void theShippedTemplateNeedsExactlyTheDocumentedVariables() throws Exception {
        String template = Files.readString(Path.of("../realms/templates/ad-federation.json"));
        Map<String, String> required = Map.of("HC_AD_URL", "ldaps://dc.example:636", "HC_AD_BIND_DN", "CN=svc",
                "HC_AD_BIND_PASSWORD", "s", "HC_AD_USERS_DN", "OU=Staff", "HC_AD_ROLES_DN", "OU=Roles");
        var provider = new ObjectMapper().readTree(Placeholders.fill(template, required))
                .path("org.keycloak.storage.UserStorageProvider").path(0);
        assertThat(provider.path("config").path("editMode").path(0).asText()).isEqualTo("UNSYNCED");
        assertThat(provider.path("config").path("connectionUrl").path(0).asText()).isEqualTo("ldaps://dc.example:636");
        for (String name : required.keySet()) {
            var without = new java.util.HashMap<>(required);
            without.remove(name);
            assertThatThrownBy(() -> Placeholders.fill(template, without)).hasMessageContaining(name);
        }
    }
}
