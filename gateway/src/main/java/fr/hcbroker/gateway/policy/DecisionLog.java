package fr.hcbroker.gateway.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import fr.hcbroker.audit.AuditRecord;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Structured log of the decisions worth reading: everything but requests handed to the app (those
 * are counted in the metrics and written to the audit trail). One JSON object per line on stdout,
 * cleaned as the audit records are: no tokens, cookies or query strings ever reach it.
 */
public final class DecisionLog implements DecisionListener {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Future<Void> summarised(RefusalSummary.Summary summary) {
        AuditRecord record = AuditTrail.record(summary);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", record.ts());
        line.put("source", "gateway");
        line.put("outcome", record.outcome());
        line.put("reason", record.reason());
        line.putAll(record.details());
        print(line);
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> decided(DecisionEvent event) {
        // Plain allows are silent; an app that failed (its own 5xx, or the gateway's 502/504 for it) is not.
        if (!event.urgent() && event.status() < 500) {
            return Future.succeededFuture();
        }
        // The audit record's cleaning: a path or reason can carry a token by mistake (a reset link).
        AuditRecord record = AuditTrail.record(event, Instant.now());
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", record.ts());
        line.put("source", "gateway");
        line.put("outcome", event.decision().outcome().label());
        line.put("reason", record.reason());
        line.put("route", record.route());
        line.put("method", record.method());
        line.put("path", record.path());
        line.put("user", record.user());
        line.put("status", event.status());
        print(line);
        return Future.succeededFuture();
    }

    private static void print(Map<String, Object> line) {
        try {
            System.out.println(JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
    }
}
