package fr.hcbroker.gateway.session;

import io.vertx.core.Future;
import java.util.List;

/**
 * Where sessions and pending logins live. One small interface so that the embedded store and a
 * clustered one are interchangeable; every call is asynchronous because a clustered one talks to the
 * network. Expiry (idle and absolute) is the store's job.
 */
public interface SessionStore extends AutoCloseable {

    Future<Session> get(String id);

    /**
     * A session as a routed request reads it: the session, and how long it had been idle before this
     * read (milliseconds; exact to the store's touch step, never less than the true idle time).
     */
    record Read(Session session, long idleMillis) {
    }

    /**
     * Reads session {@code id} for a route whose idle lock is {@code lockMillis} ({@link Long#MAX_VALUE}:
     * none), or null when there is none. A read past the lock does not count as a use: the session stays
     * locked, for every lane and node that reads it next, until the person authenticates again.
     * The future is already complete when the store answered without the network (the fast lane needs
     * that); otherwise it completes on the caller's context.
     */
    Future<Read> read(String id, long lockMillis);

    Future<Void> put(String id, Session session);

    /** Whether session {@code id} is still open, without counting this as a use (idle time goes on). */
    Future<Boolean> isOpen(String id);

    Future<Void> remove(String id);

    /**
     * Replaces session {@code id} if it is still {@code expected} (atomic): a refresh finishing after a
     * logout or another change writes nothing. Whether it replaced.
     */
    Future<Boolean> replace(String id, Session expected, Session replacement);

    /** Ends every session of a Keycloak session or subject; returns those it ended. */
    Future<List<Session>> removeMatching(String sid, String sub);

    Future<Void> putPending(String state, PendingLogin login);

    /** Takes a pending login out: a state works once. */
    Future<PendingLogin> takePending(String state);

    long size();

    /**
     * Lists a public key (JWK JSON) in every node's JWKS for {@code keep}: behind a load balancer an
     * app may fetch the keys from one node and get assertions signed by another. The store is what the
     * nodes share, so the list lives here.
     */
    void publishKey(String kid, String publicJwk, java.time.Duration keep);

    /** The public keys published by every node (JWK JSON), still within their time. */
    java.util.Collection<String> publishedKeys();

    @Override
    void close();
}
