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
 */
public record StackSettings(Path keycloakDistribution, Path realmsDir, Path workDir, Optional<Path> gatewayJar,
                            StackPorts ports, String adminUser, String adminPassword) {
}
