package fr.hcbroker.gateway.policy;

/** Told of every decision (metrics, logs, the audit trail). Must not block: it runs on the event loop. */
@FunctionalInterface
public interface DecisionListener {

    /**
     * @param decision the decision and its reason
     * @param routeId  the route, or null before a route matched
     * @param method   HTTP method
     * @param path     request path (never the query string)
     * @param user     username, or null
     * @param status   the HTTP status answered
     */
    void decided(Decision decision, String routeId, String method, String path, String user, int status);
}
