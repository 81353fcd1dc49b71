package fr.hcbroker.gateway.policy;

import fr.hcbroker.audit.AuditEntry;
import fr.hcbroker.audit.AuditRecord;
import fr.hcbroker.audit.AuditWriter;
import fr.hcbroker.gateway.session.Session;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every decision as an audit record (DESIGN.md §6), written by the shared writer off the event loop.
 * Allowed requests do not wait for their record (group commit), so each event loop gathers their
 * decisions for {@code gather} and hands them to the writer together, which makes the records: one
 * hand-over between threads per batch, not per request, and no record building on the loop. A
 * decision the person waits for (a denial, a login) first hands over what its loop gathered before
 * it, so each loop's records stay in the order it decided them.
 */
public final class AuditTrail implements DecisionListener, AutoCloseable {

    private final Vertx vertx;
    private final AuditWriter writer;
    private final long gatherMillis;
    private final ThreadLocal<Gathered> gathered = ThreadLocal.withInitial(this::gathered);
    private final Set<Gathered> loops = ConcurrentHashMap.newKeySet();
    private final boolean serveUnrecorded;
    /** Whether the last look found the writer refusing records: the log says so once per change. */
    private volatile boolean failing;

    /**
     * @param gather how long an event loop keeps allowed requests' records before handing them over;
     *               with the writer's own window, the bound on how late such a record reaches the disk
     */
    public AuditTrail(Vertx vertx, AuditWriter writer, Duration gather) {
        this(vertx, writer, gather, false);
    }

    /**
     * @param serveUnrecorded {@code audit.onWriteFailure: serve}: allowed requests are still served while
     *                        the writer cannot write (counted as lost, and said in the log)
     */
    public AuditTrail(Vertx vertx, AuditWriter writer, Duration gather, boolean serveUnrecorded) {
        this.vertx = vertx;
        this.writer = writer;
        this.gatherMillis = Math.max(1, gather.toMillis());
        this.serveUnrecorded = serveUnrecorded;
    }

    @Override
    public boolean recording() {
        boolean writable = writer.writable();
        if (writable == failing) {
            failing = !writable;
            System.err.println(writable ? "hc-gateway: the audit trail is written again"
                    : "hc-gateway: the audit trail cannot be written: allowed requests are "
                    + (serveUnrecorded ? "SERVED UNRECORDED (audit.onWriteFailure: serve), each counted in hc_audit_records_lost_total"
                    : "refused (audit.onWriteFailure: refuse)") + "; /readyz is not ready");
        }
        return writable;
    }

    @Override
    public boolean admitsUnrecorded() {
        return serveUnrecorded;
    }

    @Override
    public Future<Void> decided(DecisionEvent event) {
        boolean onLoop = Context.isOnEventLoopThread();
        if (!event.urgent() && onLoop) {
            Gathered mine = gathered.get();
            if (mine.add(new Decided(event, System.currentTimeMillis()))) {
                vertx.setTimer(gatherMillis, id -> mine.handOver());
            }
            return Future.succeededFuture();
        }
        if (onLoop) {
            gathered.get().handOver();
        }
        CompletableFuture<Void> written = writer.append(record(event, Instant.now()), event.urgent());
        if (!event.urgent()) {
            // A failed write is reported by the writer, once per batch.
            return Future.succeededFuture();
        }
        return Future.fromCompletionStage(written, vertx.getOrCreateContext());
    }

    /** A window's summarised refusals as one record of the chain, after what this loop gathered before it. */
    @Override
    public Future<Void> summarised(RefusalSummary.Summary summary) {
        if (Context.isOnEventLoopThread()) {
            gathered.get().handOver();
            return Future.fromCompletionStage(writer.append(record(summary), true), vertx.getOrCreateContext());
        }
        return Future.fromCompletionStage(writer.append(record(summary), true)); // at shutdown, Vert.x closed

    }

    /** The event of a summary record: the compliance report counts its {@code count}. */
    public static final String SUMMARY_EVENT = "deny-summary";

    static AuditRecord record(RefusalSummary.Summary summary) {
        StringBuilder reasons = new StringBuilder();
        summary.reasons().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> reasons.append(reasons.isEmpty() ? "" : "; ").append(e.getKey()).append(" x").append(e.getValue()));
        return new AuditRecord(AuditRecord.timestamp(Instant.now()), "gateway", SUMMARY_EVENT, "deny",
                summary.count() + " refusals summarised", null, null, null, null, null, null, null, null, null,
                summary.clientIp(), null, Map.of("count", String.valueOf(summary.count()),
                "first", AuditRecord.timestamp(summary.first()), "last", AuditRecord.timestamp(summary.last()),
                "sample_paths", String.join(" ", summary.samplePaths()), "reasons", reasons.toString()));
    }

    /** Hands every loop's gathered records to the writer (at shutdown, once the loops have stopped). */
    @Override
    public void close() {
        loops.forEach(Gathered::handOver);
    }

    private Gathered gathered() {
        Gathered created = new Gathered();
        loops.add(created);
        return created;
    }

    /** One event loop's decisions not yet handed over. Locked only against {@link #close()}. */
    private final class Gathered {
        private List<Decided> records = new ArrayList<>();

        /** True for the first record of a batch: the caller then schedules the hand-over. */
        synchronized boolean add(Decided record) {
            records.add(record);
            return records.size() == 1;
        }

        synchronized void handOver() {
            if (records.isEmpty()) {
                return;
            }
            if (!writer.appendAll(records)) {
                System.err.println("hc-gateway: " + records.size() + " audit records not written: the audit writer is closed");
            }
            records = new ArrayList<>();
        }
    }

    /** An allowed request's decision and when it was made: its record is made by the writer's thread. */
    private record Decided(DecisionEvent event, long atMillis) implements AuditEntry {
        @Override
        public AuditRecord record() {
            return AuditTrail.record(event, Instant.ofEpochMilli(atMillis));
        }
    }

    /**
     * The decision as an audit record: its text cleaned of anything shaped like a secret. A request of
     * an emergency session says so with {@code emergency_reason}, the detail Keycloak's emergency
     * records use, which the compliance report counts as the emergency means.
     */
    static AuditRecord record(DecisionEvent event, Instant at) {
        Session s = event.session();
        return new AuditRecord(AuditRecord.timestamp(at), "gateway", event(event),
                event.decision().outcome().label(), event.decision().reason(),
                s == null ? null : s.username(), s == null ? null : s.idNat(), s == null ? null : s.level().acr(),
                s == null ? null : s.amr(), s == null ? null : s.correlation(), event.route(), event.method(),
                event.path(), event.status() == 0 ? null : event.status(), event.clientIp(), event.requestId(), details(event, s));
    }

    /**
     * The incoming X-Request-Id, how long the app took (ms, to the microsecond) for a relayed answer,
     * and an emergency session's reason and Keycloak session (which {@code audit emergencies} lists the
     * routes of).
     */
    private static Map<String, String> details(DecisionEvent event, Session s) {
        Map<String, String> details = new java.util.HashMap<>(4);
        if (event.relayed()) {
            details.put(DURATION, BigDecimal.valueOf(event.appNanos() / 1000, 3).toPlainString());
        }
        if (event.clientRequestId() != null) {
            details.put(CLIENT_REQUEST_ID, event.clientRequestId());
        }
        if (s != null && s.emergency() != null) {
            details.put("emergency_reason", s.emergency().reason());
            if (s.sid() != null) {
                details.put("emergency_session", s.sid());
            }
        }
        return details;
    }

    /** The record's detail: how long the app took until its answer began, in milliseconds. */
    public static final String DURATION = "duration_ms";
    /** The record's detail: the request's incoming {@code X-Request-Id} (not the gateway's id, which is {@code request_id}). */
    public static final String CLIENT_REQUEST_ID = "client_request_id";

    private static String event(DecisionEvent event) {
        String reason = event.decision().reason();
        if (reason.startsWith("login")) {
            return "login";
        }
        if (reason.startsWith("logout") || reason.startsWith("back-channel logout")) {
            return "logout";
        }
        return switch (event.decision().outcome()) {
            case STEP_UP -> "step-up";
            case LOGIN -> "login-required";
            case DENY -> "deny";
            case ALLOW -> "access";
        };
    }
}
