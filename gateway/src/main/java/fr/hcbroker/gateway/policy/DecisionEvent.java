package fr.hcbroker.gateway.policy;

import fr.hcbroker.gateway.session.Session;

/**
 * A decision with what it was about.
 *
 * @param decision  outcome and reason
 * @param route     route id, or null before a route matched
 * @param method    HTTP method
 * @param path      request path (never the query string)
 * @param session   the session, or null
 * @param status    HTTP status answered; 0 when the request was handed to the app
 * @param clientIp  the browser's address: the peer's, or as a trusted proxy reports it
 * @param requestId the incoming {@code X-Request-Id}, if any
 */
public record DecisionEvent(Decision decision, String route, String method, String path, Session session, int status,
                            String clientIp, String requestId) {

    /** Whether the response must wait until the decision is durably recorded (denials, logins, logouts). */
    public boolean urgent() {
        return status != 0;
    }
}
