package fr.hcbroker.gateway.policy;

import fr.hcbroker.audit.AuditRecord;
import fr.hcbroker.audit.AuditWriter;
import fr.hcbroker.gateway.session.Session;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Every decision as an audit record (DESIGN.md §6), written by the shared writer off the event loop. */
public final class AuditTrail implements DecisionListener {

    private final Vertx vertx;
    private final AuditWriter writer;

    public AuditTrail(Vertx vertx, AuditWriter writer) {
        this.vertx = vertx;
        this.writer = writer;
    }

    @Override
    public Future<Void> decided(DecisionEvent event) {
        Session s = event.session();
        AuditRecord record = new AuditRecord(AuditRecord.timestamp(Instant.now()), "gateway", event(event),
                event.decision().outcome().name().toLowerCase(Locale.ROOT), event.decision().reason(),
                s == null ? null : s.username(), s == null ? null : s.idNat(), s == null ? null : s.level().acr(),
                s == null ? null : s.amr(), s == null ? null : s.correlation(), event.route(), event.method(),
                event.path(), event.status() == 0 ? null : event.status(), event.clientIp(), event.requestId(), Map.of());
        CompletableFuture<Void> written = writer.append(record, event.urgent());
        if (!event.urgent()) {
            // An allowed request does not wait for its record (group commit): sending each completion
            // back to the event loop would cost a task per request for nothing. A failed write is
            // reported by the writer, once per batch.
            return Future.succeededFuture();
        }
        return Future.fromCompletionStage(written, vertx.getOrCreateContext());
    }

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
