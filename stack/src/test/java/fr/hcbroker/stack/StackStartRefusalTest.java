package fr.hcbroker.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The stack refuses to start, with one line saying what and where, before starting anything")
class StackStartRefusalTest {

    @TempDir
    Path work;

    private Stack stack(Path realms, StackPorts ports) {
        return new Stack(new StackSettings(work.resolve("no-keycloak-here"), realms, work.resolve("run"),
                Optional.empty(), ports, "admin", "admin"));
    }

    private Path realms(String fileName, String content) throws IOException {
        Path dir = Files.createDirectories(work.resolve("realms"));
        Files.writeString(dir.resolve(fileName), content);
        return dir;
    }

    @Test
    void aPortInUseIsNamedWithItsRole() throws IOException {
        Path realms = realms("hospiconnect-realm.json", "{\"realm\":\"hospiconnect\"}");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0"))) {
            StackPorts free = StackPorts.free();
            StackPorts ports = new StackPorts(free.keycloakHttp(), free.keycloakHttps(), free.keycloakManagement(),
                    taken.getLocalPort(), free.demoApp(), free.keycloakDirectHttps());
            assertThatThrownBy(() -> stack(realms, ports).start())
                    .isInstanceOf(StackException.class)
                    .hasMessage("port " + taken.getLocalPort() + " (gateway) is already in use; stop what holds it"
                            + " (ss -ltnp 'sport = :" + taken.getLocalPort() + "') or choose other ports");
        }
        assertThat(work.resolve("run")).doesNotExist();
    }

    @ParameterizedTest(name = "[{index}] {2}")
    @CsvSource(delimiter = '|', value = {
            "hospiconnect-realm.json | {\"realm\": \"hospiconnect\", | invalid JSON at line 1",
            "hospiconnect-realm.json | {\"realm\": \"other\"} | the \"realm\" field must be \"hospiconnect\"",
            "hospiconnect-realm.json | [] | the \"realm\" field must be \"hospiconnect\"",
            "hospiconnect.json | {\"realm\": \"hospiconnect\"} | no *-realm.json file in"})
    void aBrokenRealmFolderIsNamedWithTheFileAndTheFault(String file, String content, String expected)
            throws IOException {
        Path realms = realms(file, content);
        assertThatThrownBy(() -> stack(realms, StackPorts.free()).start())
                .isInstanceOf(StackException.class)
                .hasMessageContaining(expected)
                .hasMessageNotContaining("\n");
        assertThat(work.resolve("run")).doesNotExist();
    }

    @Test
    void aMissingRealmFolderIsNamed() {
        assertThatThrownBy(() -> stack(work.resolve("absent"), StackPorts.free()).start())
                .hasMessage("realm folder " + work.resolve("absent") + " does not exist");
    }
}
