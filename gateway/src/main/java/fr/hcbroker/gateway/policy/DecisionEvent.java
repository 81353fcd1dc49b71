package fr.hcbroker.gateway.policy;

import fr.hcbroker.gateway.session.Session;

/**
 * A decision with what it was about.
 *
 * @param decision        outcome and reason
 * @param route           route id, or null before a route matched
 * @param method          HTTP method
 * @param path            request path (never the query string)
 * @param session         the session, or null
 * @param status          HTTP status answered: the gateway's own, or the app's relayed one; 0 when none was
 *                        (the browser left first, a connection refused before any request)
 * @param clientIp        the browser's address: the peer's, or as a trusted proxy reports it
 * @param requestId       the gateway's id of the request ({@code X-HC-Request-Id} toward the app), or null
 * @param clientRequestId the incoming {@code X-Request-Id}, if any (the browser's or a proxy's word, kept for correlation)
 * @param appNanos        how long the app took until its answer's head (or its failure), for a request relayed
 *                        to it; {@link #ANSWERED_BY_GATEWAY} when the gateway answered itself
 */
public record DecisionEvent(Decision decision, String route, String method, String path, Session session, int status,
                            String clientIp, String requestId, String clientRequestId, long appNanos) {

    /** {@link #appNanos} of a request the gateway answered itself (a refusal, a login, its own endpoints). */
    public static final long ANSWERED_BY_GATEWAY = -1;

    /** A decision the gateway answers itself, without a request id (a connection refused before any request). */
    public DecisionEvent(Decision decision, String route, String method, String path, Session session, int status,
                         String clientIp, String clientRequestId) {
        this(decision, route, method, path, session, status, clientIp, null, clientRequestId, ANSWERED_BY_GATEWAY);
    }

    /** Whether the app's answer (or its failure) is what the browser gets: an allowed access's outcome. */
    public boolean relayed() {
        return appNanos != ANSWERED_BY_GATEWAY;
    }

    /**
     * Whether the response must wait until the decision is durably recorded (denials, logins, logouts):
     * every answer of the gateway's own. An app's answer does not wait for its access's record (group commit).
     */
    public boolean urgent() {
        return !relayed();
    }
}
