package fr.hcbroker.docker;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.gateway.config.ConfigLoader;
import fr.hcbroker.gateway.config.GatewayConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.yaml.snakeyaml.Yaml;

/**
 * What can be checked of docker/ without a Docker engine. SnakeYAML (under Jackson's YAML module)
 * parses the compose file because it resolves anchors and merge keys as compose does.
 */
class DockerFilesTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path DOCKER = ROOT.resolve("docker");
    private static final Pattern SECRET_NAME = Pattern.compile("(.*_)?(PASSWORD|SECRET|TOKEN|PRIVATE|KEY)(_.*)?");
    private static final Pattern REQUIRED_VARIABLE = Pattern.compile("\\$\\{[A-Z0-9_]+:\\?[^}]*}");
    private static final Pattern COPY = Pattern.compile("(?m)^COPY\\s+(?!--from)(\\S+)\\s+\\S+\\s*$");

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(DOCKER.resolve("compose.yaml")));
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    /** Names of the environment entries that carry a secret written into the file. */
    static List<String> literalSecrets(Map<String, Object> environment) {
        List<String> literal = new ArrayList<>();
        environment.forEach((name, value) -> {
            if (SECRET_NAME.matcher(name).matches() && !REQUIRED_VARIABLE.matcher(String.valueOf(value)).matches()) {
                literal.add(name);
            }
        });
        return literal;
    }

    @Nested
    @DisplayName("compose.yaml")
    class Compose {

        @Test
        void definesPostgresTwoKeycloaksTwoGatewaysAndTheApp() throws IOException {
            assertThat(services()).containsOnlyKeys("postgres", "keycloak-1", "keycloak-2", "card-proxy", "gateway-1",
                    "gateway-2", "legacy-app");
        }

        @Test
        @SuppressWarnings("unchecked")
        @DisplayName("people reach Keycloak only at its https public URL, the card proxy, which asks for a card and accepts any")
        void peopleReachKeycloakOnlyThroughTheCardProxy() throws IOException {
            Map<String, Map<String, Object>> services = services();
            Map<String, Object> proxy = services.get("card-proxy");
            for (String node : List.of("keycloak-1", "keycloak-2")) {
                Map<String, Object> environment = (Map<String, Object>) services.get(node).get("environment");
                assertThat(environment).containsEntry("KC_HOSTNAME", "https://localhost:8443")
                        .containsEntry("HC_KEYCLOAK_URL", "https://localhost:8443")
                        .containsEntry("KC_HOSTNAME_BACKCHANNEL_DYNAMIC", "true")
                        .containsEntry("KC_SPI_X509CERT_LOOKUP__HC_CARD__PROXY_CERTIFICATES", "/etc/hc/tls/card-proxy.pem");
                // X-Forwarded-For believed from the card proxy's own address only.
                Map<String, Object> network = (Map<String, Object>) ((Map<String, Object>) proxy.get("networks")).get("default");
                assertThat(environment).containsEntry("KC_PROXY_TRUSTED_ADDRESSES", network.get("ipv4_address"));
                // Keycloak's own http port is for this machine's admins and the gateways, never published wider.
                assertThat((List<String>) services.get(node).get("ports")).allMatch(p -> p.startsWith("127.0.0.1:"));
            }
            assertThat((List<String>) proxy.get("ports")).containsExactly("8443:8443");
            String conf = Files.readString(DOCKER.resolve("card-proxy.conf"));
            assertThat(conf).contains("ssl_verify_client optional_no_ca;", "error_page 495 = @keycloak;",
                    "proxy_set_header " + fr.hcbroker.stack.cardproxy.CardProxy.HEADER + " $ssl_client_escaped_cert;",
                    "proxy_set_header X-Forwarded-For $remote_addr;", "proxy_ssl_verify on;",
                    "server keycloak-1:8443;", "server keycloak-2:8443;");
        }

        @Test
        void everyServiceHasAHealthCheck() throws IOException {
            services().forEach((name, service) -> assertThat(service.get("healthcheck"))
                    .as(name).isInstanceOfSatisfying(Map.class, check -> assertThat(check.get("test")).isNotNull()));
        }

        @Test
        @SuppressWarnings("unchecked")
        void everySecretComesFromTheOperatorsEnvironment() throws IOException {
            services().forEach((name, service) -> {
                Map<String, Object> environment = (Map<String, Object>) service.getOrDefault("environment", Map.of());
                assertThat(literalSecrets(environment)).as(name).isEmpty();
            });
        }

        @Test
        @SuppressWarnings("unchecked")
        void bothKeycloakNodesShareTheDatabaseAndBothGatewaysGetTheClientSecret() throws IOException {
            Map<String, Map<String, Object>> services = services();
            for (String node : List.of("keycloak-1", "keycloak-2")) {
                assertThat((Map<String, Object>) services.get(node).get("environment"))
                        .containsEntry("KC_DB_URL", "jdbc:postgresql://postgres:5432/keycloak");
            }
            for (String node : List.of("gateway-1", "gateway-2")) {
                assertThat((Map<String, Object>) services.get(node).get("environment"))
                        .containsKey("HC_GATEWAY_CLIENT_SECRET");
            }
        }

        @Test
        @SuppressWarnings("unchecked")
        void everyAuditWriterKeepsItsTrailOnAVolumeOfItsOwn() throws IOException {
            Map<String, Map<String, Object>> services = services();
            Map<String, String> auditDirs = Map.of("keycloak-1", "/opt/keycloak/data/audit", "keycloak-2",
                    "/opt/keycloak/data/audit", "gateway-1", "/var/lib/hc/audit", "gateway-2", "/var/lib/hc/audit");
            List<String> volumes = new ArrayList<>();
            auditDirs.forEach((node, dir) -> {
                List<String> mounts = (List<String>) services.get(node).get("volumes");
                assertThat(mounts).as(node).isNotNull();
                String mount = mounts.stream().filter(m -> m.endsWith(":" + dir)).findFirst().orElseThrow(
                        () -> new AssertionError(node + " keeps its audit trail in the container: a new image loses it"));
                volumes.add(mount.substring(0, mount.indexOf(':')));
            });
            // Two writers in one directory would interleave one chain.
            assertThat(volumes).doesNotHaveDuplicates();
            assertThat(Files.readString(DOCKER.resolve("keycloak.Dockerfile")))
                    .contains("KC_SPI_EVENTS_LISTENER__HC_AUDIT__DIR=/opt/keycloak/data/audit");
            assertThat(ConfigLoader.load(DOCKER.resolve("gateway.yaml"), name -> "a-value-from-the-operators-environment")
                    .audit().dir()).hasToString("/var/lib/hc/audit");
        }

        @Test
        void theProductionImageImportsTheHospiconnectRealmOnlyNeverTheProSanteConnectStandIn() throws IOException {
            String dockerfile = Files.readString(DOCKER.resolve("keycloak.Dockerfile"));
            assertThat(dockerfile).contains("COPY realms/hospiconnect-realm.json /opt/keycloak/data/import/")
                    .doesNotContain("COPY realms/ ").doesNotContain("esante-wallet-realm.json /opt");
        }
    }

    @ParameterizedTest(name = "{0}={1} is refused")
    @CsvSource({
            "KC_DB_PASSWORD, hunter2",
            "HC_GATEWAY_CLIENT_SECRET, s3cr3t",
            "POSTGRES_PASSWORD, ${HC_DB_PASSWORD}",
            "POSTGRES_PASSWORD, ${HC_DB_PASSWORD:-default}",
            "API_TOKEN, ''",
            "SIGNING_KEY, abc",
    })
    void aSecretWrittenInTheFileOrWithADefaultIsFound(String name, String value) {
        assertThat(literalSecrets(Map.of(name, value == null ? "" : value))).containsExactly(name);
    }

    @Test
    void aNameThatOnlyContainsKeyInAWordIsNotASecret() {
        assertThat(literalSecrets(Map.of("HC_KEYCLOAK_URL", "http://localhost:8080"))).isEmpty();
    }

    @Test
    void aRequiredVariableReferenceIsAccepted() {
        assertThat(literalSecrets(Map.of("KC_DB_PASSWORD", "${HC_DB_PASSWORD:?set HC_DB_PASSWORD}"))).isEmpty();
    }

    @Nested
    @DisplayName("Dockerfiles")
    class Dockerfiles {

        @ParameterizedTest
        @CsvSource({"keycloak.Dockerfile", "gateway.Dockerfile", "demo-app.Dockerfile"})
        void everyCopiedFileExistsAfterTheBuild(String dockerfile) throws IOException {
            var copies = COPY.matcher(Files.readString(DOCKER.resolve(dockerfile))).results()
                    .map(m -> m.group(1)).toList();
            assertThat(copies).isNotEmpty();
            copies.forEach(source -> assertThat(ROOT.resolve(source)).as(source).exists());
        }

        @Test
        void keycloakImageIsTheOfficialOneWithOurProvidersAndAnOptimizedPostgresBuild() throws IOException {
            String dockerfile = Files.readString(DOCKER.resolve("keycloak.Dockerfile"));
            assertThat(dockerfile).contains("FROM quay.io/keycloak/keycloak:26.7.3 AS builder", "KC_DB=postgres",
                    "KC_CACHE=ispn", "/opt/keycloak/bin/kc.sh build", "\"--optimized\"",
                    "rm -f /opt/keycloak/providers/hc-psc-stand-in.jar");
            assertThat(ROOT.resolve("stack/target/keycloak-dist/keycloak-26.7.3/providers"))
                    .isDirectoryContaining("glob:**/hc-keycloak-extensions.jar")
                    .isDirectoryContaining("glob:**/hc-themes.jar");
        }

        @Test
        @SuppressWarnings("unchecked")
        void gatewayConfigPassesTheGatewaysOwnValidationAndClustersBothGateways() throws IOException {
            GatewayConfig config = ConfigLoader.load(DOCKER.resolve("gateway.yaml"), name -> "a-value-from-the-operators-environment");
            assertThat(config.session().cluster().members()).extracting(InetSocketAddress::getHostString)
                    .containsExactly("gateway-1", "gateway-2");
            assertThat(config.session().cluster().owners()).isGreaterThanOrEqualTo(2);
            // Tokens carry Keycloak's fixed hostname; the gateway reaches the realm inside the network.
            Map<String, Object> keycloak = (Map<String, Object>) services().get("keycloak-1").get("environment");
            assertThat(config.oidc().issuer().toString()).isEqualTo(keycloak.get("KC_HOSTNAME") + "/realms/hospiconnect");
            assertThat(keycloak).containsEntry("KC_HOSTNAME_BACKCHANNEL_DYNAMIC", "true");
            assertThat(config.oidc().discovery().getHost()).isIn(services().keySet());
            var serviceNames = services().keySet();
            config.routes().forEach(route -> assertThat(route.upstream().getHost()).isIn(serviceNames));
            // Metrics on the management port, which no gateway publishes outside the network.
            assertThat(config.management().port()).isEqualTo(9001);
            for (String gateway : List.of("gateway-1", "gateway-2")) {
                assertThat(String.valueOf(services().get(gateway).get("ports"))).doesNotContain("9001");
            }
        }

        @Test
        void gatewayConfigNamesItsSecretVariableAndHoldsNoSecret() throws IOException {
            Map<String, Object> config = new Yaml().load(Files.readString(DOCKER.resolve("gateway.yaml")));
            @SuppressWarnings("unchecked")
            Map<String, Object> oidc = (Map<String, Object>) config.get("oidc");
            assertThat(oidc).containsEntry("clientSecretEnv", "HC_GATEWAY_CLIENT_SECRET")
                    .doesNotContainKeys("clientSecret");
        }
    }
}
