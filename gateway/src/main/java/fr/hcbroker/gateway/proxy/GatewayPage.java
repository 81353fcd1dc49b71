package fr.hcbroker.gateway.proxy;

import fr.hcbroker.gateway.session.Session;
import io.vertx.core.http.HttpServerRequest;

/**
 * A page the gateway serves itself to the holders of a role (the review of emergency accesses, the
 * compliance report). Who may open it is decided by {@link Admission} as for a route of the gateway's
 * own; the page only answers an admitted request.
 */
interface GatewayPage {

    /**
     * Answers an admitted request of {@code session} (cookie value {@code sessionId}), the request still
     * paused. Each outcome goes through {@code answer}, which records it before it is sent.
     */
    void serve(HttpServerRequest request, Session session, String sessionId, Answer answer);

    /** How a page's outcome is recorded in the gateway's trail and sent: once per request. */
    interface Answer {
        /** Records the access with {@code status}, then runs {@code send}. */
        void send(int status, Runnable send);

        /** Records the refusal (its reason, and {@code detail} when there is one) and sends its page. */
        void refuse(Refusal refusal, String detail);
    }
}
