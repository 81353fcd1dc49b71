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
        Map<String, String> environment) {

    public KeycloakOptions {
        realmFiles = List.copyOf(realmFiles);
        environment = Map.copyOf(environment);
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
