package fr.hcbroker.bench;

import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.session.InfinispanSessionStore;
import fr.hcbroker.gateway.session.Session;
import fr.hcbroker.loa.Level;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

/**
 * Session-read latency of the gateway's store: three clustered nodes on loopback (2 owners: a node
 * owns two thirds of the sessions and keeps an L1 copy of the others once it has read them) against
 * the single-node store, same sessions.
 */
final class ClusterSessionReads {

    private static final int SESSIONS = 10_000;
    private static final int READS = 50_000;

    private ClusterSessionReads() {
    }

    /** "p50 X µs, p99 Y µs" for reads on the third node of a 3-node cluster, and for a lone node. */
    static String measure() throws Exception {
        Vertx vertx = Vertx.vertx();
        List<InfinispanSessionStore> nodes = new ArrayList<>();
        try {
            List<InetSocketAddress> members = List.of(clusterPort(), clusterPort(), clusterPort());
            for (InetSocketAddress self : members) {
                nodes.add(new InfinispanSessionStore(vertx, new GatewayConfig.SessionConfig(Duration.ofHours(1),
                        Duration.ofHours(10), new GatewayConfig.Cluster("hc-bench-reads", "127.0.0.1", self.getPort(),
                        members, 2, null, "a-shared-secret-of-the-bench-nodes"))));
            }
            InfinispanSessionStore lone = new InfinispanSessionStore(vertx,
                    new GatewayConfig.SessionConfig(Duration.ofHours(1), Duration.ofHours(10), null));
            nodes.add(lone);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < SESSIONS; i++) {
                String id = UUID.randomUUID().toString();
                Session session = new Session(UUID.randomUUID().toString(), "sub-" + i, "sid-" + i, "user" + i,
                        "8" + (99700000000L + i), "Hélène", "Lefèvre-Dupré", null, List.of("60"), List.of("750712184"),
                        Set.of("infirmier"), Level.SUBSTANTIAL, List.of("pwd", "otp"), System.currentTimeMillis() / 1000);
                nodes.get(0).put(id, session).await();
                lone.put(id, session).await();
                ids.add(id);
            }
            return "3-node cluster, reads on a node owning 2/3 of the sessions (the rest kept as L1 copies once read): " + reads(nodes.get(2), ids)
                    + "; single node: " + reads(lone, ids);
        } finally {
            nodes.forEach(InfinispanSessionStore::close);
            vertx.close().await();
        }
    }

    private static String reads(InfinispanSessionStore store, List<String> ids) {
        Random random = new Random(42);
        for (int i = 0; i < READS; i++) {
            // warm-up: JIT and connections
            store.get(ids.get(random.nextInt(ids.size()))).await();
        }
        long[] nanos = new long[READS];
        for (int i = 0; i < READS; i++) {
            long start = System.nanoTime();
            if (store.get(ids.get(random.nextInt(ids.size()))).await() == null) {
                throw new IllegalStateException("benchmark: a stored session was not found");
            }
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        // Tenths of a microsecond: a local read takes well under one, which whole microseconds showed as 0.
        return String.format(java.util.Locale.ROOT, "p50 %.1f µs, p99 %.1f µs", nanos[READS / 2] / 1000.0,
                nanos[READS * 99 / 100] / 1000.0);
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A free port below 15536 whose +50 000 twin (JGroups failure detection) is free too, never the
     * same twice in a run (nodes are handed their ports before any of them binds one).
     */
    static InetSocketAddress clusterPort() throws IOException {
        for (int port = 10_000 + new Random().nextInt(5000); port < 15_500; port++) {
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            try (ServerSocket main = new ServerSocket(port); ServerSocket twin = new ServerSocket(port + 50_000)) {
                HANDED_OUT.add(port);
                return InetSocketAddress.createUnresolved("127.0.0.1", port);
            } catch (IOException taken) {
                // try the next one
            }
        }
        throw new IOException("no free port pair for the cluster");
    }
}
