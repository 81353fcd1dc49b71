package fr.hcbroker.gateway.session;

import io.vertx.core.Future;

/**
 * Where sessions and pending logins live. One small interface so that the embedded store and a
 * clustered one are interchangeable; every call is asynchronous because a clustered one talks to the
 * network. Expiry (idle and absolute) is the store's job.
 */
public interface SessionStore extends AutoCloseable {

    Future<Session> get(String id);

    Future<Void> put(String id, Session session);

    Future<Void> remove(String id);

    /** Ends every session of a Keycloak session or subject; returns how many ended. */
    Future<Integer> removeMatching(String sid, String sub);

    Future<Void> putPending(String state, PendingLogin login);

    /** Takes a pending login out: a state works once. */
    Future<PendingLogin> takePending(String state);

    long size();

    @Override
    void close();
}
