package fr.hcbroker.gateway.policy;

/** What the gateway does with a request. */
public enum Outcome {
    ALLOW, LOGIN, STEP_UP, DENY
}
