package fr.hcbroker.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The gateway's configuration file")
class ConfigLoaderTest {

    @TempDir
    Path dir;

    private GatewayConfig load(String trustedProxies, String route) throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, """
                listen: {host: 127.0.0.1, port: 8000}
                publicUrl: http://localhost:8000
                oidc: {issuer: http://localhost:8080/realms/hospiconnect, clientId: hc-gateway, clientSecretEnv: SECRET}
                trustedProxies: %s
                routes:
                  - %s
                """.formatted(trustedProxies, route));
        return ConfigLoader.load(file, Map.of("SECRET", "s")::get);
    }

    @Test
    void addressesAndHostsAreKeptInTheFormRequestsAreComparedIn() throws Exception {
        GatewayConfig config = load("[10.0.0.7, \"::1\"]", "{id: a, host: Apps.Hopital.Example., path: /, upstream: \"http://127.0.0.1:9090\"}");
        assertThat(config.trustedProxies()).containsExactlyInAnyOrder("10.0.0.7", "0:0:0:0:0:0:0:1");
        assertThat(config.routes().get(0).host()).isEqualTo("apps.hopital.example");
        assertThat(config.routes().get(0).matches("apps.hopital.example", "/x", false)).isTrue();
    }

    @Test
    void routesIgnoreLetterCaseUnlessTheyAreCaseSensitive() throws Exception {
        RouteConfig anyCase = load("[]", "{id: a, path: /Dpi, upstream: \"http://127.0.0.1:9090\"}").routes().get(0);
        assertThat(anyCase.caseSensitive()).isFalse();
        assertThat(anyCase.matches(null, "/DPI/x", true)).isTrue();
        assertThat(anyCase.matches(null, "/DPI/x", false)).isFalse();
        RouteConfig exact = load("[]", "{id: a, path: /Dpi, upstream: \"http://127.0.0.1:9090\", caseSensitive: true}")
                .routes().get(0);
        assertThat(exact.matches(null, "/DPI/x", true)).isFalse();
        assertThat(exact.matches(null, "/Dpi/x", true)).isTrue();
        assertThatThrownBy(() -> load("[]", "{id: a, path: /, upstream: \"http://127.0.0.1:9090\", caseSensitive: yes please}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("routes[0].caseSensitive must be true or false");
    }

    @Test
    @DisplayName("a route takes emergency sessions only when it says emergency: true")
    void emergencyIsOffUnlessTheRouteTurnsItOn() throws Exception {
        assertThat(load("[]", "{id: a, path: /, upstream: \"http://127.0.0.1:9090\"}").routes().get(0).emergency()).isFalse();
        assertThat(load("[]", "{id: a, path: /, upstream: \"http://127.0.0.1:9090\", emergency: false}").routes().get(0)
                .emergency()).isFalse();
        assertThat(load("[]", "{id: a, path: /, upstream: \"http://127.0.0.1:9090\", emergency: true}").routes().get(0)
                .emergency()).isTrue();
    }

    @Test
    @DisplayName("a route shows the banner only when it says banner: true, and nothing else passes for true")
    void bannerIsOffUnlessTheRouteTurnsItOn() throws Exception {
        assertThat(load("[]", "{id: a, path: /, upstream: \"http://127.0.0.1:9090\"}").routes().get(0).banner()).isFalse();
        assertThat(load("[]", "{id: a, path: /, upstream: \"http://127.0.0.1:9090\", banner: true}").routes().get(0)
                .banner()).isTrue();
        assertThatThrownBy(() -> load("[]", "{id: a, path: /, upstream: \"http://127.0.0.1:9090\", banner: \"yes\"}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("routes[0].banner must be true or false");
    }

    @ParameterizedTest(name = "emergency: {0}")
    @ValueSource(strings = {"\"true\"", "1", "yes please", "[true]", "{on: true}", "''"})
    void anEmergencyValueOtherThanTrueOrFalseIsRefused(String value) {
        assertThatThrownBy(() -> load("[]", "{id: a, path: /, upstream: \"http://127.0.0.1:9090\", emergency: " + value + "}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("routes[0].emergency must be true or false");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a range of proxies    | [10.0.0.0/8] | {id: a, path: /, upstream: \"http://127.0.0.1:9090\"} | trustedProxies entries must be IP addresses",
            "a proxy by name       | [lb.hopital.example] | {id: a, path: /, upstream: \"http://127.0.0.1:9090\"} | trustedProxies entries must be IP addresses",
            "an upstream path      | [] | {id: a, path: /, upstream: \"http://127.0.0.1:9090/app\"} | routes[0].upstream must be an origin",
            "an upstream query     | [] | {id: a, path: /, upstream: \"http://127.0.0.1:9090/?x=1\"} | routes[0].upstream must be an origin",
            "a route host and port | [] | {id: a, host: \"apps.example:8443\", path: /, upstream: \"http://127.0.0.1:9090\"} | routes[0].host must be a host name",
            "a route host URL      | [] | {id: a, host: \"https://apps.example\", path: /, upstream: \"http://127.0.0.1:9090\"} | routes[0].host must be a host name",
    })
    void aValueThatWouldNeverMatchIsRefusedNamingItsField(String what, String proxies, String route, String expected) {
        assertThatThrownBy(() -> load(proxies, route)).isInstanceOf(ConfigException.class).hasMessageContaining(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a misspelt level          | {id: a, path: /, upstream: \"http://127.0.0.1:9090\", minlevel: eidas3} | routes[0]: unknown key 'minlevel'",
            "a misspelt role list      | {id: a, path: /, upstream: \"http://127.0.0.1:9090\", requiredRole: [dpi-admin]} | routes[0]: unknown key 'requiredRole'",
            "a misspelt profession     | {id: a, path: /, upstream: \"http://127.0.0.1:9090\", profession: ['10']} | routes[0]: unknown key 'profession'",
            "a misspelt header section | {id: a, path: /, upstream: \"http://127.0.0.1:9090\", headers: {remove: [X-HC-Email]}} | routes[0].headers: unknown key 'remove'",
            "roles as a mapping        | {id: a, path: /, upstream: \"http://127.0.0.1:9090\", requiredRoles: {dpi-admin: true}} | routes[0].requiredRoles must be a list of values",
            "a route that is a string  | just-a-string | routes[0] must be a mapping",
    })
    void aKeyOrShapeTheGatewayDoesNotReadIsRefusedRatherThanIgnored(String what, String route, String expected) {
        // Ignored, each of these loaded as a route with no requirement: open to every logged-in person.
        assertThatThrownBy(() -> load("[]", route)).isInstanceOf(ConfigException.class).hasMessageContaining(expected);
    }

    @Test
    void aSingleRoleOrProfessionStandsForAListOfIt() throws Exception {
        RouteConfig route = load("10.0.0.7", "{id: a, path: /, upstream: \"http://127.0.0.1:9090\", requiredRoles: dpi-admin,"
                + " professions: '21'}").routes().get(0);
        assertThat(route.requiredRoles()).containsExactly("dpi-admin");
        assertThat(route.professions()).containsExactly("21");
    }

    @Test
    void aMisspeltTopLevelKeyIsRefused() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, """
                publicUrl: http://localhost:8000
                oidc: {issuer: http://localhost:8080/realms/hospiconnect, clientId: hc-gateway, clientSecretEnv: SECRET}
                trustedProxy: [10.0.0.7]
                routes: [{id: a, path: /, upstream: "http://127.0.0.1:9090"}]
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of("SECRET", "s")::get)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'trustedProxy'");
    }

    private GatewayConfig withAudit(String audit) throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, """
                publicUrl: http://localhost:8000
                oidc: {issuer: http://localhost:8080/realms/hospiconnect, clientId: hc-gateway, clientSecretEnv: SECRET}
                audit: %s
                routes: [{id: a, path: /, upstream: "http://127.0.0.1:9090"}]
                """.formatted(audit));
        return ConfigLoader.load(file, Map.of("SECRET", "s")::get);
    }

    @Test
    void anUnwritableTrailRefusesAllowedRequestsUnlessTheEstablishmentChoseToServe() throws Exception {
        assertThat(withAudit("{dir: audit}").audit().onWriteFailure()).isEqualTo(GatewayConfig.OnWriteFailure.REFUSE);
        assertThat(withAudit("{onWriteFailure: refuse}").audit().onWriteFailure()).isEqualTo(GatewayConfig.OnWriteFailure.REFUSE);
        assertThat(withAudit("{onWriteFailure: serve}").audit().onWriteFailure()).isEqualTo(GatewayConfig.OnWriteFailure.SERVE);
    }

    @Test
    @DisplayName("the emergency review page: off unless set; its role defaults to hc-security-officer, its period to 90 days")
    void emergencyReviewPage() throws Exception {
        assertThat(withAudit("{dir: audit}").audit().emergencyReview()).isNull();
        GatewayConfig.EmergencyReview review = withAudit("{emergencyReview: {trails: [/var/log/hc/keycloak]}}").audit()
                .emergencyReview();
        assertThat(review.role()).isEqualTo("hc-security-officer");
        assertThat(review.days()).isEqualTo(90);
        assertThat(review.trails()).containsExactly(java.nio.file.Path.of("/var/log/hc/keycloak"));
        assertThat(withAudit("{emergencyReview: {trails: [a, b], role: \"dpi:rssi\", days: 366}}").audit().emergencyReview())
                .isEqualTo(new GatewayConfig.EmergencyReview("dpi:rssi", java.util.List.of(java.nio.file.Path.of("a"),
                        java.nio.file.Path.of("b")), 366));
    }

    @Test
    @DisplayName("the compliance report page: off unless set; its role defaults to hc-it-admin, its key to the first trail's")
    void complianceReportPage() throws Exception {
        assertThat(withAudit("{dir: audit}").audit().complianceReport()).isNull();
        assertThat(withAudit("{complianceReport: {trails: [a]}}").audit().complianceReport())
                .isEqualTo(new GatewayConfig.ComplianceReport("hc-it-admin", java.util.List.of(java.nio.file.Path.of("a")),
                        java.util.List.of(), null));
        assertThat(withAudit("{complianceReport: {trails: [a], realm: [r.json], key: k.pub, role: dsi}}").audit()
                .complianceReport()).isEqualTo(new GatewayConfig.ComplianceReport("dsi",
                java.util.List.of(java.nio.file.Path.of("a")), java.util.List.of(java.nio.file.Path.of("r.json")),
                java.nio.file.Path.of("k.pub")));
    }

    @ParameterizedTest(name = "complianceReport: {0}")
    @ValueSource(strings = {"{}", "{trails: []}", "{trails: [a], role: \"a b\"}", "{trails: [a], days: 3}", "[a]"})
    @DisplayName("a compliance report page set wrong is refused at start")
    void complianceReportSetWrong(String value) {
        assertThatThrownBy(() -> withAudit("{complianceReport: " + value + "}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("audit.complianceReport");
    }

    @ParameterizedTest(name = "emergencyReview: {0}")
    @ValueSource(strings = {"{}", "{trails: []}", "{trails: [a], days: 0}", "{trails: [a], days: 367}",
            "{trails: [a], role: \"a b\"}", "{trails: [a], when: 1}", "true"})
    @DisplayName("an emergency review page set wrong is refused at start")
    void emergencyReviewSetWrong(String value) {
        assertThatThrownBy(() -> withAudit("{emergencyReview: " + value + "}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("audit.emergencyReview");
    }

    @ParameterizedTest(name = "onWriteFailure: {0}")
    @ValueSource(strings = {"Serve", "REFUSE", "ignore", "\"\"", "true", "[serve]", "{}", "null"})
    void anyOtherOnWriteFailureIsRefusedAtStart(String value) {
        assertThatThrownBy(() -> withAudit("{onWriteFailure: " + value + "}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("audit.onWriteFailure must be refuse or serve");
    }

    @org.junit.jupiter.api.Nested
    @DisplayName("a route's idle lock")
    class IdleLock {

        @Test
        @DisplayName("a route may lock after fewer idle minutes than the session's (30 by default)")
        void aShorterIdleTimeIsKept() throws Exception {
            RouteConfig route = load("[]", "{id: a, path: /, upstream: \"http://127.0.0.1:9090\", idleMinutes: 5}")
                    .routes().get(0);
            assertThat(route.idleTimeout()).isEqualTo(java.time.Duration.ofMinutes(5));
        }

        @Test
        @DisplayName("without it a route has no lock of its own")
        void byDefaultNone() throws Exception {
            RouteConfig route = load("[]", "{id: a, path: /, upstream: \"http://127.0.0.1:9090\"}").routes().get(0);
            assertThat(route.idleTimeout()).isNull();
        }

        @ParameterizedTest(name = "idleMinutes: {0}")
        @CsvSource(delimiter = '|', value = {
                "0         | must be a whole positive number of minutes",
                "-5        | must be a whole positive number of minutes",
                "2.5       | must be a whole positive number of minutes",
                "\"5\"     | must be a whole positive number of minutes",
                "five      | must be a whole positive number of minutes",
                "[5]       | must be a whole positive number of minutes",
                "{m: 5}    | must be a whole positive number of minutes",
                "null      | must be a whole positive number of minutes",
                "30        | must be shorter than session.idleMinutes (30)",
                "600       | must be shorter than session.idleMinutes (30)",
        })
        @DisplayName("an idle time that is not a shorter whole number of minutes is refused, naming the field")
        void anIdleTimeThatWouldNotLockAsWrittenIsRefused(String value, String expected) {
            // Read loosely, "2.5" would lock at 2 and "0" never: the ward would believe in a lock it does not have.
            assertThatThrownBy(() -> load("[]", "{id: a, path: /, upstream: \"http://127.0.0.1:9090\", idleMinutes: " + value + "}"))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("routes[0].idleMinutes").hasMessageContaining(expected);
        }
    }

    private GatewayConfig withConnections(String connections) throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, """
                publicUrl: http://localhost:8000
                oidc: {issuer: http://localhost:8080/realms/hospiconnect, clientId: hc-gateway, clientSecretEnv: SECRET}
                %s
                routes: [{id: a, path: /, upstream: "http://127.0.0.1:9090"}]
                """.formatted(connections));
        return ConfigLoader.load(file, Map.of("SECRET", "s")::get);
    }

    @Test
    void connectionsAreBoundedByDefaultWithAHeadTimeoutOfAtMostThirtySeconds() throws Exception {
        GatewayConfig.Connections defaults = withConnections("").connections();
        assertThat(defaults).isEqualTo(GatewayConfig.Connections.DEFAULTS);
        assertThat(defaults.headTimeout()).isPositive().isLessThanOrEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(defaults.bodyTimeout()).isPositive();
        assertThat(defaults.idleTimeout()).isPositive();
        assertThat(defaults.maxPerClient()).isGreaterThanOrEqualTo(1000);
        GatewayConfig.Connections set = withConnections(
                "connections: {headTimeoutSeconds: 5, bodyTimeoutSeconds: 7, idleTimeoutSeconds: 9, maxPerClient: 50}").connections();
        assertThat(set).isEqualTo(new GatewayConfig.Connections(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(7),
                java.time.Duration.ofSeconds(9), 50));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no head timeout       | {headTimeoutSeconds: 0}        | connections.headTimeoutSeconds must be a positive number",
            "a negative body       | {bodyTimeoutSeconds: -5}       | connections.bodyTimeoutSeconds must be a positive number",
            "an idle of words      | {idleTimeoutSeconds: forever}  | connections.idleTimeoutSeconds must be a positive number",
            "a day-long head       | {headTimeoutSeconds: 86400}    | connections.headTimeoutSeconds must be at most 3600",
            "no cap                | {maxPerClient: 0}              | connections.maxPerClient must be a positive number",
            "an absurd cap         | {maxPerClient: 99999999}       | connections.maxPerClient must be at most 1000000",
            "a misspelt key        | {headTimeout: 5}               | connections: unknown key 'headTimeout'",
            "not a mapping         | 30                             | connections must be a mapping",
    })
    void aConnectionLimitThatWouldLeaveTheGatewayUnboundedIsRefused(String what, String section, String expected) {
        assertThatThrownBy(() -> withConnections("connections: " + section)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void refusalSummariesHaveDefaultsAndBoundedSettings() throws Exception {
        assertThat(withAudit("{dir: audit}").refusals()).isEqualTo(GatewayConfig.Refusals.DEFAULTS);
        assertThat(withAudit("{refusals: {threshold: 5, windowSeconds: 30}}").refusals())
                .isEqualTo(new GatewayConfig.Refusals(5, java.time.Duration.ofSeconds(30)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no threshold     | {threshold: 0}         | audit.refusals.threshold must be a positive number",
            "a huge threshold | {threshold: 1000000}   | audit.refusals.threshold must be at most 10000",
            "a day's window   | {windowSeconds: 86400} | audit.refusals.windowSeconds must be at most 3600",
            "a misspelt key   | {window: 60}           | audit.refusals: unknown key 'window'",
    })
    void aRefusalSummarySettingThatWouldLetAFloodThroughIsRefused(String what, String section, String expected) {
        assertThatThrownBy(() -> withAudit("{refusals: " + section + "}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining(expected);
    }

    @ParameterizedTest
    @CsvSource({"7800, true", "15535, true", "15536, false", "60000, false"})
    @DisplayName("a cluster's JGroups port leaves room for failure detection at the port + 50 000")
    void theClusterPortLeavesRoomForFailureDetection(int port, boolean accepted) throws Exception {
        Path file = dir.resolve("cluster.yaml");
        Files.writeString(file, """
                listen: {host: 127.0.0.1, port: 8000}
                publicUrl: http://localhost:8000
                oidc: {issuer: http://localhost:8080/realms/hospiconnect, clientId: hc-gateway, clientSecretEnv: SECRET}
                routes:
                  - {id: a, path: /, upstream: "http://127.0.0.1:9090"}
                session:
                  cluster: {bind: "10.0.0.11:%1$d", members: ["10.0.0.11:%1$d", "10.0.0.12:%1$d"], secretEnv: CLUSTER}
                """.formatted(port));
        Map<String, String> environment = Map.of("SECRET", "s", "CLUSTER", "a-secret-shared-by-the-nodes");
        if (accepted) {
            assertThat(ConfigLoader.load(file, environment::get).session().cluster().bindPort()).isEqualTo(port);
        } else {
            assertThatThrownBy(() -> ConfigLoader.load(file, environment::get)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("session.cluster.bind: port must be at most 15535 (failure detection listens at"
                            + " the port + 50000), got " + port);
        }
    }
}
