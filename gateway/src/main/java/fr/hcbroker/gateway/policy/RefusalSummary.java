package fr.hcbroker.gateway.policy;

import fr.hcbroker.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Repeated refusals summarised, not dropped (issue #35): one client sending refused requests as fast as
 * it can made the trail grow by 8 MB a second. Per client address and window, the first refusals of
 * each reason are recorded one by one ({@code threshold} per reason, five times that per address);
 * the rest of the window becomes one summary record (count, first and last time, sample paths, the
 * reasons with their counts), written at the window's end into the same signed chain.
 *
 * <p>Only refusals: denials and login-required answers. Allowed accesses, logins, logouts and
 * step-ups always pass one by one. The address is the one the gateway
 * believes ({@link DecisionEvent#clientIp()}: the peer, or what a trusted proxy forwards), so varying
 * a header, the path or the reason does not escape the threshold. A summarised refusal is answered at
 * once: its evidence is the count in memory until the window ends (a crash loses at most one window's
 * counts, never a record already written).
 */
public final class RefusalSummary implements DecisionListener {

    /**
     * One address's summarised refusals in a window.
     *
     * @param reasons each "event: reason" with its count, at most {@link #MAX_REASONS} (the rest as "other")
     */
    public record Summary(String clientIp, long count, Instant first, Instant last, List<String> samplePaths,
                          Map<String, Long> reasons) {
    }

    static final int MAX_SAMPLE_PATHS = 5;
    static final int MAX_REASONS = 10;
    /** Addresses may record five reasons' worth one by one in a window; the rest is summarised. */
    static final int PER_ADDRESS_FACTOR = 5;

    private final DecisionListener next;
    private final GatewayConfig.Refusals limits;
    private final Clock clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public RefusalSummary(DecisionListener next, GatewayConfig.Refusals limits, Clock clock) {
        this.next = next;
        this.limits = limits;
        this.clock = clock;
    }

    /** One address's window: what was recorded one by one, and what is summarised. */
    private static final class Window {
        final long start;
        final Map<String, Integer> individually = new java.util.HashMap<>();
        int individualTotal;
        long count;
        Instant first;
        Instant last;
        final Set<String> paths = new LinkedHashSet<>();
        final Map<String, Long> reasons = new LinkedHashMap<>();

        Window(long start) {
            this.start = start;
        }

        /** Counts a refusal; true when it goes one by one, false when it is summarised. */
        boolean recordsIndividually(String reason, String path, Instant at, int threshold) {
            int ofReason = individually.getOrDefault(reason, 0);
            if (ofReason < threshold && individualTotal < threshold * PER_ADDRESS_FACTOR) {
                individually.put(reason, ofReason + 1);
                individualTotal++;
                return true;
            }
            count++;
            if (first == null) {
                first = at;
            }
            last = at;
            if (path != null && paths.size() < MAX_SAMPLE_PATHS) {
                paths.add(path);
            }
            String key = reasons.containsKey(reason) || reasons.size() < MAX_REASONS - 1 ? reason : "other";
            reasons.merge(key, 1L, Long::sum);
            return false;
        }

        Summary summary(String clientIp) {
            return count == 0 ? null
                    : new Summary(clientIp, count, first, last, List.copyOf(paths), Map.copyOf(reasons));
        }
    }

    /**
     * Whether a decision may be summarised: a refusal (a denial, failed login steps included, or a
     * login required). A failed login step counts as a refusal: left out, a flood of forged callbacks
     * would escape the threshold; its first ones per window are still recorded one by one.
     */
    static boolean summarisable(DecisionEvent event) {
        return event.urgent() && event.clientIp() != null
                && (event.decision().outcome() == Outcome.DENY || event.decision().outcome() == Outcome.LOGIN);
    }

    @Override
    public Future<Void> decided(DecisionEvent event) {
        if (!summarisable(event)) {
            return next.decided(event);
        }
        Instant at = clock.instant();
        long now = at.toEpochMilli();
        long windowMillis = limits.window().toMillis();
        String reason = event.decision().outcome().name().toLowerCase(java.util.Locale.ROOT) + ": " + event.decision().reason();
        Summary[] ended = {null};
        boolean[] individually = {false};
        windows.compute(event.clientIp(), (address, window) -> {
            if (window != null && now - window.start >= windowMillis) {
                ended[0] = window.summary(address);
                window = null;
            }
            Window current = window == null ? new Window(now) : window;
            individually[0] = current.recordsIndividually(reason, event.path(), at, limits.threshold());
            return current;
        });
        if (ended[0] != null) {
            next.summarised(ended[0]);
        }
        return individually[0] ? next.decided(event) : Future.succeededFuture();
    }

    /**
     * Writes the summaries of the windows that have ended and forgets them: called periodically (a
     * second is fine) so a flood that stops is summarised within a window and a second.
     */
    public void flush() {
        long now = clock.millis();
        long windowMillis = limits.window().toMillis();
        List<Summary> ended = new ArrayList<>();
        for (String address : windows.keySet()) {
            windows.computeIfPresent(address, (key, window) -> {
                if (now - window.start < windowMillis) {
                    return window;
                }
                Summary summary = window.summary(key);
                if (summary != null) {
                    ended.add(summary);
                }
                return null;
            });
        }
        ended.forEach(next::summarised);
    }

    /** Every window's summary now, ended or not (at shutdown, before the trail closes). */
    public void flushAll() {
        List<Summary> ended = new ArrayList<>();
        for (String address : windows.keySet()) {
            Window window = windows.remove(address);
            Summary summary = window == null ? null : window.summary(address);
            if (summary != null) {
                ended.add(summary);
            }
        }
        ended.forEach(next::summarised);
    }

    @Override
    public Future<Void> summarised(Summary summary) {
        return next.summarised(summary);
    }

    @Override
    public boolean recording() {
        return next.recording();
    }

    @Override
    public boolean admitsUnrecorded() {
        return next.admitsUnrecorded();
    }
}
