package fr.hcbroker.gateway.proxy;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Open connections per client address, and the cap past which a new one from that address is closed
 * at once, before any of it is read (issue #34): one machine cannot take the file descriptors every
 * other person needs. Trusted proxies are not capped (their connections carry many people; who they
 * carry is known only once a request's head is read, and their own limits apply in front).
 *
 * <p>A refused address is reported at most once a minute ({@link Refused}), with the number refused
 * since its last report: the audit trail and the metrics must not become the flood's amplifier.
 * Shared by every event loop: the counts are a concurrent map, emptied as connections close.
 */
final class ConnectionCap {

    /** One report per address per minute: how many connections were refused since the last one. */
    interface Refused {
        void report(String address, long refusedSinceLastReport);
    }

    static final long REPORT_EVERY_NANOS = 60_000_000_000L;

    private final IntSupplier cap;
    private final java.util.function.Predicate<String> trusted;
    private final Refused refused;
    private final LongSupplier clock;
    private final Map<String, Integer> open = new ConcurrentHashMap<>();
    private final Map<String, Reported> reported = new ConcurrentHashMap<>();

    /** An address's refusals since its last report, and when that report was. */
    private static final class Reported {
        long at;
        long since;
    }

    /**
     * @param cap     the configured cap, read at each connection (a reload changes it for new ones)
     * @param trusted whether an address is a trusted proxy's (read at each connection)
     */
    ConnectionCap(IntSupplier cap, java.util.function.Predicate<String> trusted, Refused refused, LongSupplier clock) {
        this.cap = cap;
        this.trusted = trusted;
        this.refused = refused;
        this.clock = clock;
    }

    /** Counts a new connection; false (and the connection closed) when its address is past the cap. */
    boolean admit(Channel channel) {
        String address = channel.remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : null;
        if (address == null || trusted.test(address)) {
            return true;
        }
        if (!opened(address)) {
            channel.close();
            return false;
        }
        channel.closeFuture().addListener(done -> closed(address));
        return true;
    }

    /** Counts a connection from {@code address}; false, counted as refused instead, past the cap. */
    boolean opened(String address) {
        int limit = cap.getAsInt();
        boolean[] admitted = {false};
        open.compute(address, (key, count) -> {
            int now = count == null ? 0 : count;
            admitted[0] = now < limit;
            return admitted[0] ? now + 1 : count;
        });
        if (!admitted[0]) {
            refused(address);
        }
        return admitted[0];
    }

    void closed(String address) {
        open.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
    }

    /** Connections open now (counted ones: trusted proxies' are not). */
    int openConnections() {
        return open.values().stream().mapToInt(Integer::intValue).sum();
    }

    private void refused(String address) {
        long now = clock.getAsLong();
        long[] report = {-1};
        reported.compute(address, (key, entry) -> {
            Reported r = entry == null ? new Reported() : entry;
            r.since++;
            if (entry == null || now - r.at >= REPORT_EVERY_NANOS) {
                report[0] = r.since;
                r.since = 0;
                r.at = now;
            }
            return r;
        });
        if (report[0] > 0) {
            refused.report(address, report[0]);
            // Forgotten a minute after their last report: the map does not grow with every address ever refused.
            reported.entrySet().removeIf(e -> now - e.getValue().at >= 2 * REPORT_EVERY_NANOS);
        }
    }
}
