package fr.hcbroker.gateway.session;

import fr.hcbroker.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.cache.StorageType;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;

/**
 * Sessions in an embedded Infinispan cache: idle timeout is the entry's max-idle, absolute timeout
 * its lifespan, so expiry needs no sweeper of our own. Local by default; the same caches can be
 * clustered by configuration.
 */
public final class InfinispanSessionStore implements SessionStore {

    private static final Duration PENDING_LIFESPAN = Duration.ofMinutes(10);

    private final Vertx vertx;
    private final DefaultCacheManager manager;
    private final Cache<String, Session> sessions;
    private final Cache<String, PendingLogin> pending;

    public InfinispanSessionStore(Vertx vertx, GatewayConfig.SessionConfig config) {
        this.vertx = vertx;
        GlobalConfigurationBuilder global = new GlobalConfigurationBuilder().nonClusteredDefault();
        global.jmx().disable();
        manager = new DefaultCacheManager(global.build());
        manager.defineConfiguration("sessions", new ConfigurationBuilder()
                .memory().storage(StorageType.HEAP)
                .expiration().maxIdle(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .lifespan(config.absoluteTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .build());
        manager.defineConfiguration("pending-logins", new ConfigurationBuilder()
                .expiration().lifespan(PENDING_LIFESPAN.toMillis(), TimeUnit.MILLISECONDS)
                .build());
        sessions = manager.getCache("sessions");
        pending = manager.getCache("pending-logins");
    }

    @Override
    public Future<Session> get(String id) {
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
        // A scan, off the event loop: back-channel logouts are rare and sessions carry no index.
        return vertx.executeBlocking(() -> {
            int[] ended = {0};
            sessions.entrySet().stream()
                    .filter(e -> (sid != null && sid.equals(e.getValue().sid()))
                            || (sid == null && sub != null && sub.equals(e.getValue().sub())))
                    .map(java.util.Map.Entry::getKey)
                    .toList()
                    .forEach(id -> {
                        if (sessions.remove(id) != null) {
                            ended[0]++;
                        }
                    });
            return ended[0];
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

    @Override
    public long size() {
        return sessions.size();
    }

    @Override
    public void close() {
        manager.stop();
    }
}
