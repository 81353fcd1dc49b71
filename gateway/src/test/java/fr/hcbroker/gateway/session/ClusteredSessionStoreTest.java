package fr.hcbroker.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.config.RouteConfig;
import fr.hcbroker.gateway.identity.AssertionSigner;
import fr.hcbroker.loa.Level;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Sessions shared by three gateway nodes (embedded Infinispan over JGroups TCP on loopback)")
class ClusteredSessionStoreTest {

    private static final String SECRET = "a-shared-secret-of-the-test-nodes";
    private final Vertx vertx = Vertx.vertx();
    private final List<InfinispanSessionStore> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(InfinispanSessionStore::close);
        vertx.close().await();
    }

    @Test
    @DisplayName("a session written on one node is read on the others, survives that node, and ends everywhere")
    void sharedSurvivesAndEnds() throws Exception {
        List<InetSocketAddress> members = List.of(free(), free(), free());
        for (InetSocketAddress self : members) {
            nodes.add(new InfinispanSessionStore(vertx, config(self, members)));
        }
        InfinispanSessionStore a = nodes.get(0);
        InfinispanSessionStore b = nodes.get(1);
        InfinispanSessionStore c = nodes.get(2);
        assertThat(a.members()).isEqualTo(3);
        // Failure detection listens at the documented port (the firewall rule): the JGroups port + 50 000.
        for (InetSocketAddress self : members) {
            int twin = self.getPort() + GatewayConfig.Cluster.FAILURE_DETECTION_OFFSET;
            assertThatThrownBy(() -> new ServerSocket(twin).close()).as("port %d held", twin)
                    .isInstanceOf(java.net.BindException.class);
        }

        Session helene = session("kc-sid-1", "Hélène");
        a.put("cookie-1", helene).await();
        assertThat(b.get("cookie-1").await()).isEqualTo(helene);
        assertThat(c.get("cookie-1").await()).isEqualTo(helene);
        a.put("cookie-2", session("kc-sid-2", "Marc")).await();

        nodes.remove(a);
        a.close();
        // Two owners per session: losing one node loses no session.
        assertThat(b.get("cookie-1").await()).isEqualTo(helene);
        assertThat(c.get("cookie-2").await().givenName()).isEqualTo("Marc");

        c.remove("cookie-1").await();
        assertThat(b.get("cookie-1").await()).isNull();
        // A back-channel logout reaching one node ends the sessions stored on any node.
        assertThat(b.removeMatching("kc-sid-2", null).await()).singleElement().extracting(Session::sid).isEqualTo("kc-sid-2");
        assertThat(c.get("cookie-2").await()).isNull();
    }

    @Test
    @DisplayName("every node reads a session in place once it holds it (owner or L1 copy); a logout or change on any node is seen at once")
    void readsInPlaceAndStayCoherent() throws Exception {
        List<InetSocketAddress> members = List.of(free(), free(), free());
        for (InetSocketAddress self : members) {
            nodes.add(new InfinispanSessionStore(vertx, config(self, members)));
        }
        for (int n = 0; n < 20; n++) {
            String id = "cookie-" + n;
            Session helene = session("kc-sid-" + n, "Hélène");
            nodes.get(n % 3).put(id, helene).await();
            for (InfinispanSessionStore node : nodes) {
                // Three nodes, two owners: the one that is not an owner asks once, then keeps an L1 copy.
                assertThat(node.get(id).await()).isEqualTo(helene);
                var again = node.read(id, Long.MAX_VALUE);
                assertThat(again.isComplete()).as("second read of %s answered in place", id).isTrue();
                assertThat(again.result().session()).isEqualTo(helene);
            }
            Session refreshed = session("kc-sid-" + n, "Hélène-Marie");
            assertThat(nodes.get((n + 1) % 3).replace(id, helene, refreshed).await()).isTrue();
            for (InfinispanSessionStore node : nodes) {
                assertThat(node.read(id, Long.MAX_VALUE).await().session()).as("after a change on another node").isEqualTo(refreshed);
            }
            nodes.get((n + 2) % 3).remove(id).await();
            for (InfinispanSessionStore node : nodes) {
                var gone = node.read(id, Long.MAX_VALUE);
                assertThat(gone.await()).as("%s after its logout on another node", id).isNull();
            }
        }
    }

    @Test
    @DisplayName("an assertion signed by one node verifies with the JWKS served by another")
    void everyNodePublishesEveryNodesKeys() throws Exception {
        List<InetSocketAddress> members = List.of(free(), free());
        for (InetSocketAddress self : members) {
            nodes.add(new InfinispanSessionStore(vertx, config(self, members)));
        }
        AssertionSigner a = new AssertionSigner("https://gateway.test", Clock.systemUTC(), nodes.get(0));
        AssertionSigner b = new AssertionSigner("https://gateway.test", Clock.systemUTC(), nodes.get(1));
        RouteConfig route = new RouteConfig("app", null, "/", URI.create("http://127.0.0.1:1"), Level.SUBSTANTIAL,
                List.of(), Set.of(), Set.of(), Map.of(), Set.of(), false);
        SignedJWT fromA = SignedJWT.parse(a.assertion(session("kc-sid-1", "Hélène"), route));
        SignedJWT fromB = SignedJWT.parse(b.assertion(session("kc-sid-1", "Hélène"), route));
        assertThat(fromA.getHeader().getKeyID()).isNotEqualTo(fromB.getHeader().getKeyID());
        for (AssertionSigner served : List.of(a, b)) {
            JWKSet jwks = JWKSet.parse(served.jwks());
            for (SignedJWT jwt : List.of(fromA, fromB)) {
                ECKey key = (ECKey) jwks.getKeyByKeyId(jwt.getHeader().getKeyID());
                assertThat(key).as("key %s in a node's JWKS", jwt.getHeader().getKeyID()).isNotNull();
                assertThat(key.isPrivate()).isFalse();
                assertThat(jwt.verify(new ECDSAVerifier(key))).isTrue();
            }
        }
    }

    @Test
    @DisplayName("a pending login started on one node is taken once, on another")
    void pendingLoginTakenOnce() throws Exception {
        List<InetSocketAddress> members = List.of(free(), free());
        for (InetSocketAddress self : members) {
            nodes.add(new InfinispanSessionStore(vertx, config(self, members)));
        }
        PendingLogin login = new PendingLogin("nonce", "verifier", "/dossier", Level.SUBSTANTIAL, null, "browser");
        nodes.get(0).putPending("state-1", login).await();
        assertThat(nodes.get(1).takePending("state-1").await()).isEqualTo(login);
        assertThat(nodes.get(0).takePending("state-1").await()).isNull();
    }

    @Test
    @DisplayName("idle timeout: use keeps a session alive on any node, disuse ends it; a refresh never revives a logout")
    void idleTimeoutAcrossNodes() throws Exception {
        List<InetSocketAddress> members = List.of(free(), free());
        for (InetSocketAddress self : members) {
            nodes.add(new InfinispanSessionStore(vertx, new GatewayConfig.SessionConfig(Duration.ofMillis(1500),
                    Duration.ofHours(10), new GatewayConfig.Cluster("hc-idle-" + members.get(0).getPort(), "127.0.0.1",
                    self.getPort(), members, 2, null, SECRET))));
        }
        InfinispanSessionStore a = nodes.get(0);
        InfinispanSessionStore b = nodes.get(1);
        a.put("kept", session("sid-kept", "Hélène")).await();
        a.put("idle", session("sid-idle", "Marc")).await();
        for (int i = 0; i < 6; i++) {
            Thread.sleep(500);
            // used every half second, alternately on each node: 3 s in all, twice the idle timeout
            assertThat((i % 2 == 0 ? a : b).get("kept").await()).as("used session after %d ms", (i + 1) * 500).isNotNull();
        }
        assertThat(b.get("idle").await()).as("unused for 3 s").isNull();

        // Two nodes refreshing one session at once while a third ends it: it stays ended.
        a.put("raced", session("sid-raced", "Inès")).await();
        Thread.sleep(400);
        var refreshA = a.get("raced");
        var refreshB = b.get("raced");
        b.remove("raced").await();
        refreshA.await();
        refreshB.await();
        Thread.sleep(200);
        assertThat(a.get("raced").await()).isNull();
        assertThat(b.get("raced").await()).isNull();
    }

    @Test
    @DisplayName("a node without the shared secret cannot join, nor read the others' sessions")
    void aNodeWithAnotherSecretStaysOut() throws Exception {
        List<InetSocketAddress> members = List.of(free(), free());
        String name = "hc-secret-" + members.get(0).getPort();
        InfinispanSessionStore genuine = new InfinispanSessionStore(vertx, new GatewayConfig.SessionConfig(
                Duration.ofMinutes(30), Duration.ofHours(10), new GatewayConfig.Cluster(name, "127.0.0.1",
                members.get(0).getPort(), members, 2, null, SECRET)));
        nodes.add(genuine);
        genuine.put("cookie-1", session("kc-sid-1", "Hélène")).await();
        InfinispanSessionStore intruder = new InfinispanSessionStore(vertx, new GatewayConfig.SessionConfig(
                Duration.ofMinutes(30), Duration.ofHours(10), new GatewayConfig.Cluster(name, "127.0.0.1",
                members.get(1).getPort(), members, 2, null, "another-secret-of-enough-length")));
        nodes.add(intruder);
        Thread.sleep(3000);
        assertThat(genuine.members()).isEqualTo(1);
        assertThat(intruder.members()).isEqualTo(1);
        assertThat(intruder.get("cookie-1").await()).isNull();
    }

    private static GatewayConfig.SessionConfig config(InetSocketAddress self, List<InetSocketAddress> members) {
        return new GatewayConfig.SessionConfig(Duration.ofMinutes(30), Duration.ofHours(10),
                new GatewayConfig.Cluster("hc-test-" + members.get(0).getPort(), "127.0.0.1", self.getPort(), members, 2,
                        null, SECRET));
    }

    private static Session session(String sid, String givenName) {
        return new Session("corr-" + sid, "sub-" + sid, sid, "user-" + sid, "810001234567", givenName, "Lefèvre-Dupré",
                null, List.of("60"), List.of("F750712184"), Set.of("infirmier"), Level.SUBSTANTIAL,
                List.of("pwd", "otp"), System.currentTimeMillis() / 1000);
    }

    /** A free port below 15536: JGroups' failure detection listens 50 000 above it. */
    /** Ports handed to a node in this run: two nodes of a test must never be given the same one. */
    private static final Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A JGroups port for a node, free with its failure-detection twin (port + 50 000), and not one
     * already handed to a node of this run (a node's port is only bound once the node starts).
     */
    private static InetSocketAddress free() throws IOException {
        for (int port = 10_000 + (int) (Math.random() * 5000); port < 15_500; port++) {
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port);
                 ServerSocket fd = new ServerSocket(port + GatewayConfig.Cluster.FAILURE_DETECTION_OFFSET)) {
                HANDED_OUT.add(port);
                return InetSocketAddress.createUnresolved("127.0.0.1", port);
            } catch (IOException taken) {
                // try the next
            }
        }
        throw new IOException("no free port pair");
    }
}
