package fr.hcbroker.gateway.policy;

import java.util.Locale;

/** What the gateway does with a request. */
public enum Outcome {
    ALLOW, LOGIN, STEP_UP, DENY;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The name as logs and audit records write it ({@code step_up}), made once rather than per request. */
    public String label() {
        return label;
    }
}
