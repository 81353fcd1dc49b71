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
 * Sessions in an embedded Infinispan cache. Local by default; with a cluster configuration the same
 * caches are distributed over the gateway nodes (synchronous writes, each session on {@code owners}
 * nodes), so a login on one node is seen by all and a logout ends it on all.
 *
 * <p>The absolute timeout is the entry's lifespan, counted from the login (an emergency session's
 * limit when that comes first, {@link Session#endsAtMillis}): Infinispan restarts a lifespan at every
 * write, so each write passes what is left of it. The idle timeout is ours: each entry carries the
 * time it was last used, refreshed at most every {@link #touchEvery} by a conditional replace.
 * Infinispan's own max-idle would do it, but in a cluster it sends a touch to the other owners on
 * every read (7 ms per read on loopback, against 0.1 ms without). The conditional replace makes a
 * refresh atomic: two nodes refreshing one session cannot lose an update, and a refresh racing a
 * logout cannot bring the session back (there is nothing left to replace).
 */
public final class InfinispanSessionStore implements SessionStore {

    private static final Duration PENDING_LIFESPAN = Duration.ofMinutes(10);
    /**
     * Login attempts kept at most, per node. Anyone can start one without logging in, so without a
     * bound a flood of anonymous requests fills the heap (2.5 KB each with a long return path: a
     * 512 MB heap filled in under a minute at 7 000 requests/s). Far above a hospital's logins in ten
     * minutes; past it the least used attempts are dropped (their callback asks to log in again), and
     * the gateway and its open sessions live on.
     */
    static final int MAX_PENDING_LOGINS = 20_000;

    /** A session and when it was last used (epoch milliseconds). */
    record Stored(Session session, long lastUsed) implements java.io.Serializable {
    }

    private final Vertx vertx;
    private final boolean clustered;
    private final long idleMillis;
    private final long absoluteMillis;
    private final long touchEvery;
    private final DefaultCacheManager manager;
    private final Cache<String, Stored> sessions;
    private final Cache<String, PendingLogin> pending;
    private final Cache<String, String> keys;

    public InfinispanSessionStore(Vertx vertx, GatewayConfig.SessionConfig config) {
        this.vertx = vertx;
        this.idleMillis = config.idleTimeout().toMillis();
        this.absoluteMillis = config.absoluteTimeout().toMillis();
        // Idle expiry is exact to within this step: a minute, or a tenth of a short idle timeout.
        this.touchEvery = Math.min(60_000L, idleMillis / 10);
        GatewayConfig.Cluster cluster = config.cluster();
        clustered = cluster != null;
        GlobalConfigurationBuilder global = clustered ? clusteredGlobal(cluster)
                : new GlobalConfigurationBuilder().nonClusteredDefault();
        global.jmx().disable();
        manager = new DefaultCacheManager(global.build());
        ConfigurationBuilder sessionCache = cacheMode(cluster);
        if (clustered) {
            // A node that is not one of a session's owners (more nodes than owners) keeps the copy it
            // read, so that its next reads stay in place; every write invalidates such copies first.
            sessionCache.clustering().l1().enable();
        }
        sessionCache.memory().storage(StorageType.HEAP)
                .expiration().lifespan(config.absoluteTimeout().toMillis(), TimeUnit.MILLISECONDS);
        manager.defineConfiguration("sessions", sessionCache.build());
        // Clustered too: behind a load balancer, the callback may reach another node than the login.
        ConfigurationBuilder pendingCache = cacheMode(cluster);
        pendingCache.expiration().lifespan(PENDING_LIFESPAN.toMillis(), TimeUnit.MILLISECONDS);
        pendingCache.memory().storage(StorageType.HEAP).maxCount(MAX_PENDING_LOGINS);
        manager.defineConfiguration("pending-logins", pendingCache.build());
        // A handful of public keys, read by every node's JWKS: a full copy on each.
        ConfigurationBuilder keyCache = new ConfigurationBuilder();
        if (clustered) {
            keyCache.clustering().cacheMode(CacheMode.REPL_SYNC);
        }
        manager.defineConfiguration("assertion-keys", keyCache.build());
        sessions = manager.getCache("sessions");
        pending = manager.getCache("pending-logins");
        keys = manager.getCache("assertion-keys");
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
        return read(id, Long.MAX_VALUE).map(read -> read == null ? null : read.session());
    }

    @Override
    public Future<Read> read(String id, long lockMillis) {
        return stored(id).map(s -> used(id, s, lockMillis));
    }

    /**
     * The entry, in place when Infinispan has it without the network: always on a single node; in a
     * cluster on the session's owners (every node when nodes <= owners) and, past that, on a node that
     * read it before (its L1 copy, which the owners invalidate before a write returns). Only a read that
     * must ask another node waits, and then on the event loop's context.
     */
    private Future<Stored> stored(String id) {
        java.util.concurrent.CompletableFuture<Stored> read = sessions.getAsync(id);
        if (read.isDone() && !read.isCompletedExceptionally()) {
            return Future.succeededFuture(read.join());
        }
        return Future.fromCompletionStage(read, vertx.getOrCreateContext());
    }

    @Override
    public Future<Boolean> isOpen(String id) {
        return stored(id).map(stored -> {
            long now = System.currentTimeMillis();
            return stored != null && now - stored.lastUsed() <= idleMillis && lifeLeft(stored.session(), now) > 0;
        });
    }

    /**
     * The session if it has not been idle too long, and its idle time; refreshes its last use when due
     * (not awaited), unless it is idle past {@code lockMillis}: a locked session stays locked.
     */
    private Read used(String id, Stored stored, long lockMillis) {
        if (stored == null) {
            return null;
        }
        long now = System.currentTimeMillis();
        long idle = now - stored.lastUsed();
        long left = lifeLeft(stored.session(), now);
        if (idle > idleMillis || left <= 0) {
            sessions.removeAsync(id, stored);
            return null;
        }
        if (idle > touchEvery && idle <= lockMillis) {
            sessions.replaceAsync(id, stored, new Stored(stored.session(), now), left, TimeUnit.MILLISECONDS);
        }
        return new Read(stored.session(), idle);
    }

    /** To the absolute timeout, or an emergency session's limit: its entry's lifespan too, on every node. */
    private long lifeLeft(Session session, long now) {
        return session.endsAtMillis(absoluteMillis) - now;
    }

    @Override
    public Future<Void> put(String id, Session session) {
        long now = System.currentTimeMillis();
        return Future.fromCompletionStage(sessions.putAsync(id, new Stored(session, now),
                Math.max(1, lifeLeft(session, now)), TimeUnit.MILLISECONDS), vertx.getOrCreateContext()).mapEmpty();
    }

    @Override
    public Future<Boolean> replace(String id, Session expected, Session replacement) {
        return Future.fromCompletionStage(sessions.getAsync(id).thenCompose(stored -> {
            long left = stored == null ? 0 : lifeLeft(stored.session(), System.currentTimeMillis());
            if (stored == null || !stored.session().equals(expected) || left <= 0) {
                return java.util.concurrent.CompletableFuture.completedFuture(false);
            }
            return sessions.replaceAsync(id, stored, new Stored(replacement, stored.lastUsed()), left, TimeUnit.MILLISECONDS);
        }), vertx.getOrCreateContext());
    }

    @Override
    public Future<Void> remove(String id) {
        return Future.fromCompletionStage(sessions.removeAsync(id), vertx.getOrCreateContext()).mapEmpty();
    }

    @Override
    public Future<List<Session>> removeMatching(String sid, String sub) {
        // A scan, off the event loop: back-channel logouts are rare and sessions carry no index. In a
        // cluster the iterator walks every node's segments, so a logout reaching one node ends all.
        // A scan that overlaps a rebalance (a node joining or leaving) may miss entries in transit, so
        // a pass only counts as "nothing left" when no rebalance ran during it.
        return vertx.executeBlocking(() -> {
            Map<String, Session> ended = new java.util.HashMap<>();
            for (int pass = 0; pass < 5; pass++) {
                boolean steady = awaitNoRebalance();
                List<String> matching = new ArrayList<>();
                for (Map.Entry<String, Stored> e : sessions.entrySet()) {
                    Session s = e.getValue().session();
                    if (sid != null ? sid.equals(s.sid()) : sub != null && sub.equals(s.sub())) {
                        matching.add(e.getKey());
                    }
                }
                if (matching.isEmpty() && steady && !rebalancing()) {
                    break;
                }
                for (String id : matching) {
                    Stored removed = sessions.remove(id);
                    if (removed != null) {
                        ended.put(id, removed.session());
                    }
                }
            }
            return List.copyOf(ended.values());
        });
    }

    private boolean rebalancing() {
        return clustered && sessions.getAdvancedCache().getDistributionManager().isRehashInProgress();
    }

    /** Waits, a few seconds at most, for a rebalance in progress to end; false if it has not. */
    private boolean awaitNoRebalance() throws InterruptedException {
        for (int waited = 0; rebalancing(); waited += 50) {
            if (waited >= 5_000) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
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
    public void publishKey(String kid, String publicJwk, Duration keep) {
        keys.put(kid, publicJwk, keep.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public java.util.Collection<String> publishedKeys() {
        return List.copyOf(keys.values());
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
