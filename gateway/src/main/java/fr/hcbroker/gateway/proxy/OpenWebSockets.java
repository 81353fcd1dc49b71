package fr.hcbroker.gateway.proxy;

import fr.hcbroker.gateway.session.SessionStore;
import io.vertx.core.http.HttpConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The WebSockets open through this node and the session each was opened in: a socket is one long
 * request, and without this it went on relaying in the name of someone no longer logged in.
 */
final class OpenWebSockets {

    private final Map<HttpConnection, String> sockets = new ConcurrentHashMap<>();
    private final SessionStore store;

    OpenWebSockets(SessionStore store) {
        this.store = store;
    }

    /** A handshake admitted in session {@code sessionId}. */
    void opened(HttpConnection connection, String sessionId) {
        sockets.put(connection, sessionId);
    }

    /** A step-up replaced a session: its WebSockets now belong to the new one, and stay open. */
    void sessionReplaced(String from, String to) {
        sockets.replaceAll((connection, sessionId) -> sessionId.equals(from) ? to : sessionId);
    }

    /**
     * Closes the WebSockets whose session has ended: a logout, a back-channel logout (on any node), a
     * refresh Keycloak refused, the idle or absolute timeout.
     */
    void closeEnded() {
        sockets.keySet().removeIf(OpenWebSockets::closed);
        sockets.forEach((connection, sessionId) -> store.isOpen(sessionId).onSuccess(alive -> {
            if (!alive && sockets.remove(connection) != null) {
                connection.close();
            }
        }));
    }

    /** How many are open (a gauge). */
    int count() {
        sockets.keySet().removeIf(OpenWebSockets::closed);
        return sockets.size();
    }

    /**
     * Whether a WebSocket's connection has closed. The proxy relays an upgraded connection as a raw
     * socket ({@code toNetSocket}), after which the connection's own close handler is no longer called
     * and Vert.x's public API has no other way to ask: its channel is asked (a Vert.x internal class,
     * the one behind every HTTP/1.1 connection, as {@link FastLane#install} needs it too).
     */
    private static boolean closed(HttpConnection connection) {
        return connection instanceof io.vertx.core.net.impl.ConnectionBase base && !base.channel().isActive();
    }
}
