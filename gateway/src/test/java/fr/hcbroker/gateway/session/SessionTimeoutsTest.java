package fr.hcbroker.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.loa.Level;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("session timeouts of the embedded store")
class SessionTimeoutsTest {

    private final Vertx vertx = Vertx.vertx();
    // Idle 1 s: the last use is rewritten every 100 ms of use, which is what must not extend the absolute timeout.
    private final InfinispanSessionStore store = new InfinispanSessionStore(vertx,
            new GatewayConfig.SessionConfig(Duration.ofSeconds(1), Duration.ofSeconds(3), null));

    @AfterEach
    void close() {
        store.close();
        vertx.close().await();
    }

    @Test
    @DisplayName("a session in constant use still ends at its absolute timeout, counted from the login")
    void absoluteTimeoutEndsAnActiveSession() throws Exception {
        long login = System.currentTimeMillis();
        store.put("cookie", session(login / 1000)).await();
        while (store.get("cookie").await() != null) {
            assertThat(System.currentTimeMillis() - login).as("still alive").isLessThan(5_000);
            Thread.sleep(150);
        }
        assertThat(System.currentTimeMillis() - login).isGreaterThanOrEqualTo(2_000);
    }

    @Test
    @DisplayName("a replace (a refresh) does not extend the session either, and never revives a removed one")
    void replaceKeepsTheLoginsTimeout() throws Exception {
        long login = System.currentTimeMillis();
        Session first = session(login / 1000);
        store.put("cookie", first).await();
        Session refreshed = first.refreshLater(login / 1000 + 60);
        assertThat(store.replace("cookie", first, refreshed).await()).isTrue();
        assertThat(store.replace("cookie", first, refreshed).await()).as("no longer the expected value").isFalse();
        Thread.sleep(3_200);
        assertThat(store.get("cookie").await()).isNull();
        assertThat(store.replace("cookie", refreshed, first).await()).isFalse();
        assertThat(store.get("cookie").await()).isNull();
    }

    @Test
    @DisplayName("an emergency session in constant use ends at its limit, before the absolute timeout, and a refresh keeps that limit")
    void anEmergencySessionEndsAtItsLimit() throws Exception {
        long login = System.currentTimeMillis();
        long until = login / 1000 + 2;
        Session first = session(login / 1000);
        Session emergency = new Session(first.correlation(), first.sub(), first.sid(), first.username(), first.idNat(),
                first.givenName(), first.familyName(), first.email(), first.professions(), first.structures(),
                first.roles(), Level.LOW, List.of("pwd"), first.createdAt(), first.refreshToken(), first.refreshAt(),
                new Session.Emergency("urgence-vitale", until));
        store.put("cookie", emergency).await();
        Session refreshed = emergency.refreshLater(login / 1000 + 60);
        assertThat(refreshed.emergency()).isEqualTo(emergency.emergency());
        assertThat(store.replace("cookie", emergency, refreshed).await()).isTrue();
        while (store.get("cookie").await() != null) {
            assertThat(System.currentTimeMillis()).as("alive past the emergency limit").isLessThan(until * 1000 + 300);
            Thread.sleep(100);
        }
        // The absolute timeout (3 s) would have kept it until login + 3 s.
        assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(until * 1000 - 100).isLessThan(login + 3_000);
        assertThat(store.read("cookie", Long.MAX_VALUE).await()).isNull();
    }

    private static Session session(long createdAt) {
        return new Session("corr", "sub", "sid", "inf.lefevre", "899700000021", "Hélène", "Lefèvre-Dupré", null,
                List.of("60"), List.of(), Set.of(), Level.SUBSTANTIAL, List.of("pwd", "otp"), createdAt, "refresh-token",
                createdAt + 240);
    }

    @Test
    @DisplayName("a read past a route's idle lock says how long the session was idle and leaves it locked")
    void aLockedSessionStaysLockedForTheNextRead() throws Exception {
        long login = System.currentTimeMillis();
        store.put("cookie", session(login / 1000)).await();
        Thread.sleep(400);
        SessionStore.Read first = store.read("cookie", 300).await();
        assertThat(first.idleMillis()).isGreaterThanOrEqualTo(400);
        Thread.sleep(50);
        // Not counted as a use: the fast lane's read and then Vert.x's see the same lock, so do other nodes.
        assertThat(store.read("cookie", 300).await().idleMillis()).isGreaterThanOrEqualTo(first.idleMillis());
        // A route without a lock uses the session: its idle time starts again.
        assertThat(store.read("cookie", Long.MAX_VALUE).await().idleMillis()).isGreaterThanOrEqualTo(400);
        Thread.sleep(50);
        assertThat(store.read("cookie", 300).await().idleMillis()).isLessThan(300);
    }

    @Test
    @DisplayName("anonymous login attempts are bounded: a flood of them cannot fill the heap")
    void pendingLoginsAreBounded() {
        int attempts = InfinispanSessionStore.MAX_PENDING_LOGINS + 10_000;
        String longReturn = "/" + "a".repeat(2000);
        for (int i = 0; i < attempts; i++) {
            store.putPending("state-" + i, new PendingLogin("n", "v", longReturn, Level.SUBSTANTIAL, null, "browser")).await();
        }
        int kept = 0;
        for (int i = 0; i < attempts; i++) {
            if (store.takePending("state-" + i).await() != null) {
                kept++;
            }
        }
        assertThat(kept).isPositive().isLessThanOrEqualTo(InfinispanSessionStore.MAX_PENDING_LOGINS);
    }
}
