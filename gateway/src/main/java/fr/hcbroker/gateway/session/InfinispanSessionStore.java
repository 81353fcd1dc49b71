package fr.hcbroker.gateway.session;

import fr.hcbroker.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.infinispan.Cache;
import org.infinispan.commons.marshall.JavaSerializationMarshaller;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.cache.StorageType;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;

/**
 * Sessions in an embedded Infinispan cache: idle timeout is the entry's max-idle, absolute timeout
 * its lifespan, so expiry needs no sweeper of our own. Local by default; with a cluster
 * configuration the same caches are distributed over the gateway nodes (synchronous writes, each
 * session on {@code owners} nodes), so a login on one node is seen by all and a logout ends it on all.
 *
 * <p>Sessions are immutable and written once (at login), then only read or removed: there is no
 * read-modify-write to lose between nodes, and a request in flight cannot bring an ended session
 * back because nothing on the request path writes one.
 */
public final class InfinispanSessionStore implements SessionStore {

    private static final Duration PENDING_LIFESPAN = Duration.ofMinutes(10);

    private final Vertx vertx;
    private final boolean clustered;
    private final DefaultCacheManager manager;
    private final Cache<String, Session> sessions;
    private final Cache<String, PendingLogin> pending;

    public InfinispanSessionStore(Vertx vertx, GatewayConfig.SessionConfig config) {
        this.vertx = vertx;
        GatewayConfig.Cluster cluster = config.cluster();
        clustered = cluster != null;
        GlobalConfigurationBuilder global = clustered ? clusteredGlobal(cluster)
                : new GlobalConfigurationBuilder().nonClusteredDefault();
        global.jmx().disable();
        manager = new DefaultCacheManager(global.build());
        ConfigurationBuilder sessionCache = cacheMode(cluster);
        sessionCache.memory().storage(StorageType.HEAP)
                .expiration().maxIdle(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .lifespan(config.absoluteTimeout().toMillis(), TimeUnit.MILLISECONDS);
        manager.defineConfiguration("sessions", sessionCache.build());
        // Clustered too: behind a load balancer, the callback may reach another node than the login.
        ConfigurationBuilder pendingCache = cacheMode(cluster);
        pendingCache.expiration().lifespan(PENDING_LIFESPAN.toMillis(), TimeUnit.MILLISECONDS);
        manager.defineConfiguration("pending-logins", pendingCache.build());
        sessions = manager.getCache("sessions");
        pending = manager.getCache("pending-logins");
    }

    private static GlobalConfigurationBuilder clusteredGlobal(GatewayConfig.Cluster cluster) {
        GlobalConfigurationBuilder global = GlobalConfigurationBuilder.defaultClusteredBuilder();
        global.transport().clusterName(cluster.name());
        if (cluster.jgroupsFile() != null) {
            global.transport().addProperty(JGroupsTransport.CONFIGURATION_FILE, cluster.jgroupsFile().toString());
        } else {
            global.transport().addProperty(JGroupsTransport.CHANNEL_CONFIGURATOR, new ClusterChannel(cluster));
        }
        // Java serialization of our own records only: the allow list keeps other classes out.
        global.serialization().marshaller(new JavaSerializationMarshaller())
                .allowList().addRegexps("fr\\.hcbroker\\..*", "java\\.util\\..*", "java\\.lang\\..*");
        return global;
    }

    private static ConfigurationBuilder cacheMode(GatewayConfig.Cluster cluster) {
        ConfigurationBuilder builder = new ConfigurationBuilder();
        if (cluster != null) {
            builder.clustering().cacheMode(CacheMode.DIST_SYNC).hash().numOwners(cluster.owners());
        }
        return builder;
    }

    @Override
    public Future<Session> get(String id) {
        if (!clustered) {
            // A local in-memory read never blocks: answering in place spares a hop through the event loop.
            return Future.succeededFuture(sessions.get(id));
        }
        return Future.fromCompletionStage(sessions.getAsync(id), vertx.getOrCreateContext());
    }

    @Override
    public Future<Void> put(String id, Session session) {
        return Future.fromCompletionStage(sessions.putAsync(id, session), vertx.getOrCreateContext()).mapEmpty();
    }

    @Override
    public Future<Void> remove(String id) {
        return Future.fromCompletionStage(sessions.removeAsync(id), vertx.getOrCreateContext()).mapEmpty();
    }

    @Override
    public Future<Integer> removeMatching(String sid, String sub) {
        // A scan, off the event loop: back-channel logouts are rare and sessions carry no index. In a
        // cluster the iterator walks every node's segments, so a logout reaching one node ends all.
        // A scan that overlaps a rebalance (a node joining or leaving) may miss entries in transit:
        // scanning again until nothing matches closes that window.
        return vertx.executeBlocking(() -> {
            java.util.Set<String> ended = new java.util.HashSet<>();
            for (int pass = 0; pass < 5; pass++) {
                List<String> matching = new ArrayList<>();
                for (Map.Entry<String, Session> e : sessions.entrySet()) {
                    Session s = e.getValue();
                    if (sid != null ? sid.equals(s.sid()) : sub != null && sub.equals(s.sub())) {
                        matching.add(e.getKey());
                    }
                }
                if (matching.isEmpty()) {
                    break;
                }
                matching.forEach(sessions::remove);
                ended.addAll(matching);
            }
            return ended.size();
        });
    }

    @Override
    public Future<Void> putPending(String state, PendingLogin login) {
        return Future.fromCompletionStage(pending.putAsync(state, login), vertx.getOrCreateContext()).mapEmpty();
    }

    @Override
    public Future<PendingLogin> takePending(String state) {
        return Future.fromCompletionStage(pending.removeAsync(state), vertx.getOrCreateContext());
    }

    /** Nodes in the cluster as this node sees it (1 when not clustered). */
    public int members() {
        return clustered ? manager.getMembers().size() : 1;
    }

    @Override
    public long size() {
        return sessions.size();
    }

    @Override
    public void close() {
        manager.stop();
    }
}
