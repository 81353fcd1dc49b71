package fr.hcbroker.stack.keycloak;

import java.nio.file.Path;

/** Keycloak did not start; the message says why and the log file says more. */
public class KeycloakStartException extends RuntimeException {
    private final transient Path log;

    public KeycloakStartException(String message, Path log) {
        super(message + " (log: " + log + ")");
        this.log = log;
    }

    public Path log() {
        return log;
    }
}
