package fr.hcbroker.stack.keycloak;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to run one Keycloak server.
 *
 * @param distribution  the unpacked distribution with our providers in {@code providers/}
 *                      ({@code target/keycloak-dist/keycloak-<version>} of a module that runs Keycloak)
 * @param home          where this server's own copy lives (its database, logs, imports)
 * @param httpPort      http port
 * @param httpsPort     https port (client certificates requested: CPS cards)
 * @param managementPort health and metrics port
 * @param adminUser     bootstrap admin (honours {@code KC_BOOTSTRAP_ADMIN_USERNAME} in the caller)
 * @param adminPassword bootstrap admin password
 * @param tls           server key store and client-certificate trust store
 * @param realmFiles    realm JSON files imported at first start with Keycloak's own import
 * @param environment   variables for the realm files' {@code ${VAR}} placeholders and SPI settings
 * @param cluster       PostgreSQL and clustering settings (production profile), or null for a lone
 *                      node with its own file database
 */
public record KeycloakOptions(
        Path distribution,
        Path home,
        int httpPort,
        int httpsPort,
        int managementPort,
        String adminUser,
        String adminPassword,
        Tls tls,
        List<Path> realmFiles,
        Map<String, String> environment,
        Cluster cluster) {

    public KeycloakOptions {
        realmFiles = List.copyOf(realmFiles);
        environment = Map.copyOf(environment);
    }

    public KeycloakOptions(Path distribution, Path home, int httpPort, int httpsPort, int managementPort,
                           String adminUser, String adminPassword, Tls tls, List<Path> realmFiles,
                           Map<String, String> environment) {
        this(distribution, home, httpPort, httpsPort, managementPort, adminUser, adminPassword, tls, realmFiles,
                environment, null);
    }

    /**
     * A node of a Keycloak cluster: the shared database, and the loopback port its JGroups listens on
     * (members find each other through the database).
     */
    public record Cluster(String jdbcUrl, String dbUser, String dbPassword, int bindPort) {
        @Override
        public String toString() {
            return "Cluster[jdbcUrl=" + jdbcUrl + ", dbUser=" + dbUser + ", dbPassword=***, bindPort=" + bindPort + "]";
        }
    }

    /** PKCS#12 key store for the https port and trust store for client certificates. */
    public record Tls(Path keyStore, String keyStorePassword, Path trustStore, String trustStorePassword) {
    }

    public String httpUrl() {
        return "http://localhost:" + httpPort;
    }

    public String httpsUrl() {
        return "https://localhost:" + httpsPort;
    }
}
