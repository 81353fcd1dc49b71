package fr.hcbroker.stack;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What a stack is made of and where it lives.
 *
 * @param keycloakDistribution unpacked distribution with our providers ({@code <module>/target/keycloak-dist/keycloak-<v>})
 * @param realmsDir            folder of realm templates ({@code realms/} of the project)
 * @param workDir              everything this run writes: Keycloak's home, keys, cards, accounts, logs
 * @param gatewayJar           the gateway's runnable jar, started as its own process; empty to run without it
 * @param ports                ports to bind
 * @param adminUser            Keycloak bootstrap admin
 * @param adminPassword        Keycloak bootstrap admin password
 * @param publicHttps          people reach Keycloak only at its https public URL, the card proxy: Keycloak's
 *                             hostname is that URL (the tokens' issuer, every page and form), the gateway's
 *                             issuer too, and the gateway uses Keycloak's http port as its back channel. False:
 *                             Keycloak names itself after whichever URL a request came to (the end-to-end
 *                             tests reach it over http)
 */
public record StackSettings(Path keycloakDistribution, Path realmsDir, Path workDir, Optional<Path> gatewayJar,
                            StackPorts ports, String adminUser, String adminPassword, boolean publicHttps) {

    /** A stack whose Keycloak answers on whichever URL a request came to. */
    public StackSettings(Path keycloakDistribution, Path realmsDir, Path workDir, Optional<Path> gatewayJar,
                         StackPorts ports, String adminUser, String adminPassword) {
        this(keycloakDistribution, realmsDir, workDir, gatewayJar, ports, adminUser, adminPassword, false);
    }
}
