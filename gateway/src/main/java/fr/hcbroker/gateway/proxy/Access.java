package fr.hcbroker.gateway.proxy;

import fr.hcbroker.gateway.policy.Decision;
import fr.hcbroker.gateway.policy.DecisionEvent;
import fr.hcbroker.gateway.policy.Outcome;
import fr.hcbroker.gateway.session.Session;
import java.util.function.Consumer;

/**
 * An admitted request on its way to its app, and its one audit record. The record is made when the
 * access's outcome is known rather than when the request is let through, so that it can say what the
 * person got: the app's status and how long the app took ({@link #answered}, called with the head of
 * the app's answer, before any of it is relayed), a 502/504 when the app could not answer
 * ({@link #failed}), a 400 when the browser's body could not be read ({@link #malformed}), or nothing
 * when the browser left first ({@link #abandoned}). Whichever comes first
 * is recorded; the rest are ignored. Every lane (Vert.x's path, the fast lane, WebSocket upgrades) calls
 * the same ones.
 *
 * <p>Ordering: like every allowed access's record before it, this one is not awaited (group commit,
 * docs/fr/audit.md): it is handed to the audit trail before the first byte of the answer it vouches
 * for leaves, and is on disk within the group-commit window. Awaiting the disk per access would add
 * an fsync wait to every request. Confined to the request's event loop.
 */
final class Access {

    /** Reason of an access whose app was down (502) or too slow (504). */
    private static final Decision DOWN = new Decision(Outcome.ALLOW, Refusal.UPSTREAM_DOWN.reason());
    private static final Decision TIMED_OUT = new Decision(Outcome.ALLOW, Refusal.UPSTREAM_TIMEOUT.reason());
    static final Decision MALFORMED = new Decision(Outcome.ALLOW, Refusal.MALFORMED_BODY.reason());
    /** Reason of an access whose browser went away before the app answered. */
    static final Decision LEFT = new Decision(Outcome.ALLOW, "browser left before the app answered");

    /** The gateway's id of this request: its {@code X-HC-Request-Id}, and its record's {@code request_id}. */
    final String id;
    private final Decision decision;
    private final String routeId;
    private final String method;
    private final String path;
    private final Session session;
    private final String client;
    private final String clientRequestId;
    private final Consumer<DecisionEvent> recorder;
    private final long started = System.nanoTime();
    private boolean recorded;

    Access(String id, Decision decision, String routeId, String method, String path, Session session, String client,
           String clientRequestId, Consumer<DecisionEvent> recorder) {
        this.id = id;
        this.decision = decision;
        this.routeId = routeId;
        this.method = method;
        this.path = path;
        this.session = session;
        this.client = client;
        this.clientRequestId = clientRequestId;
        this.recorder = recorder;
    }

    /** The app's answer begins with {@code status}: recorded before it is relayed. */
    void answered(int status) {
        record(decision, status);
    }

    /** The app could not answer: the person gets the gateway's 502 or 504 page. */
    void failed(int status) {
        record(status == 504 ? TIMED_OUT : DOWN, status);
    }

    /**
     * The browser's body broke HTTP's framing before the app answered: the browser's fault, not the
     * app's (a 400, not a 502).
     */
    void malformed() {
        record(MALFORMED, Refusal.MALFORMED_BODY.status());
    }

    /**
     * Whether a failure of the browser's request means the browser went away (its connection closed
     * or reset) rather than that it sent a body Netty's decoder refused.
     */
    static boolean browserGone(Throwable cause) {
        return cause instanceof io.vertx.core.http.HttpClosedException || cause instanceof java.io.IOException;
    }

    /** The browser went away before the app's answer began: no status. */
    void abandoned() {
        record(LEFT, 0);
    }

    private void record(Decision outcome, int status) {
        if (recorded) {
            return;
        }
        recorded = true;
        recorder.accept(new DecisionEvent(outcome, routeId, method, path, session, status, client, id, clientRequestId,
                System.nanoTime() - started));
    }
}
