package fr.hcbroker.gateway.proxy;

import fr.hcbroker.gateway.config.GatewayConfig;
import fr.hcbroker.gateway.policy.Decision;
import fr.hcbroker.gateway.policy.DecisionEvent;
import fr.hcbroker.gateway.policy.DecisionListener;
import fr.hcbroker.gateway.policy.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What every listener does with a new connection before anything of it is read (issue #34): the
 * per-address cap ({@link ConnectionCap}), then the timeouts ({@link ConnectionGuard}). Its metrics:
 * {@code hc_gateway_connections_open} (beside {@code process_files_open_files} and
 * {@code process_files_max_files}, the limit it counts against), connections closed for lack of
 * progress per phase, connections refused past the cap, and the addresses refused (once per address
 * per minute, as the audit record).
 */
public final class ConnectionLimits {

    /** The audit reason of a refused address's record. */
    static final String REASON = "too many connections from this address";

    private final Supplier<GatewayConfig> config;
    private final ConnectionCap cap;
    private final Counter refusedConnections;
    private final Counter refusedAddresses;
    private final Map<ConnectionGuard.Phase, Counter> timedOut = new EnumMap<>(ConnectionGuard.Phase.class);

    public ConnectionLimits(Supplier<GatewayConfig> config, DecisionListener listener, MeterRegistry metrics) {
        this.config = config;
        this.refusedConnections = metrics.counter("hc_gateway_connections_refused");
        this.refusedAddresses = metrics.counter("hc_gateway_connection_cap_reached");
        this.cap = new ConnectionCap(() -> config.get().connections().maxPerClient(),
                address -> config.get().trustedProxies().contains(address),
                (address, refused) -> {
                    refusedAddresses.increment();
                    // No answer is sent: status 0 in the record. The count says how many were refused since the last record.
                    listener.decided(new DecisionEvent(new Decision(Outcome.DENY, REASON + " (" + refused
                            + " refused since the last record, cap " + config.get().connections().maxPerClient() + ")"),
                            null, null, null, null, 0, address, null));
                }, System::nanoTime);
        metrics.gauge("hc_gateway_connections_open", cap, ConnectionCap::openConnections);
        for (ConnectionGuard.Phase phase : ConnectionGuard.Phase.values()) {
            if (phase != ConnectionGuard.Phase.ANSWERING) {
                timedOut.put(phase, metrics.counter("hc_gateway_connections_timed_out", "phase",
                        phase.name().toLowerCase(Locale.ROOT)));
            }
        }
    }

    /**
     * A new connection on any listener: false, and already closed, past its address's cap; otherwise
     * guarded by the timeouts. HTTP/1.1 connections only (the gateway serves no other).
     */
    public boolean accept(HttpConnection connection) {
        if (!(connection instanceof io.vertx.core.net.impl.ConnectionBase base)) {
            return true;
        }
        Channel channel = base.channel();
        if (!cap.admit(channel)) {
            refusedConnections.increment();
            return false;
        }
        ConnectionGuard.install(channel, config.get().connections(), phase -> timedOut.get(phase).increment());
        return true;
    }

    /**
     * Why the gateway should take no new people now, or null: its file descriptors 95 % used (each
     * connection holds one; past the limit every accept fails, for everyone). {@code /readyz} says it,
     * so a load balancer moves people to another node before that.
     */
    public static String descriptorsNearLimit() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long open = unix.getOpenFileDescriptorCount();
            long max = unix.getMaxFileDescriptorCount();
            if (max > 0 && open * 100 >= max * 95) {
                return "file descriptors nearly used up (" + open + " of " + max + ")";
            }
        }
        return null;
    }
}
